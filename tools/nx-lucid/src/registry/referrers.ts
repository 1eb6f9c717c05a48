/**
 * OCI 1.1 referrers (distribution spec, "Listing Referrers" and "Referrers Tag Schema"): artifacts whose manifest's
 * `subject` names an image. A registry with the referrers API answers `GET /v2/<name>/referrers/<digest>` and
 * confirms a PUT with the `OCI-Subject` header; one without it (Debian's docker-registry 2.8) answers 404, and the
 * client keeps the list itself in an image index tagged `sha256-<hex>` — read, merged, written, read back and merged
 * again on a conflict, so that an entry another writer added meanwhile is never dropped.
 */
import { sha256Digest } from '../oci/digest';
import { MediaType } from '../oci/media-types';
import { Descriptor, ImageIndex, indexSchema } from '../oci/types';
import { RegistryClient } from './client';
import { RegistryError } from './errors';
import { pullScope, pushScope } from './transport';

/** OCI 1.1's empty descriptor: the config of an artifact manifest that has none. */
export const EMPTY_CONFIG = { mediaType: 'application/vnd.oci.empty.v1+json', bytes: Buffer.from('{}') } as const;

/** How the registry keeps referrers: its API, or the tag schema's index. */
export type ReferrersVia = 'api' | 'tag';

export interface ReferrerList {
  via: ReferrersVia;
  referrers: Descriptor[];
}

export interface ArtifactToAttach {
  artifactType: string;
  /** The artifact's one layer: its bytes and media type (actions/attest's shape: one layer, the bundle). */
  layer: { mediaType: string; bytes: Buffer };
  annotations?: Record<string, string>;
}

export interface AttachedArtifact {
  descriptor: Descriptor;
  via: ReferrersVia;
  /** False when the registry already had this very manifest listed (an idempotent rerun). */
  added: boolean;
}

/** The referrers tag schema: `sha256:<hex>` → `sha256-<hex>`. */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-');
}

/** The artifact manifest of actions/attest (@sigstore/oci): empty config, one layer, `subject` = the image. */
export function artifactManifest(subject: Descriptor, artifact: ArtifactToAttach, layerDigest: string): Buffer {
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    artifactType: artifact.artifactType,
    config: { mediaType: EMPTY_CONFIG.mediaType, digest: sha256Digest(EMPTY_CONFIG.bytes), size: 2 },
    layers: [{ mediaType: artifact.layer.mediaType, digest: layerDigest, size: artifact.layer.bytes.length }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    ...(artifact.annotations ? { annotations: artifact.annotations } : {}),
  };
  return Buffer.from(JSON.stringify(manifest));
}

const emptyIndex = (): ImageIndex => ({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] });

export class Referrers {
  constructor(
    private readonly client: RegistryClient,
    private readonly options: {
      conflictRetries?: number;
      /** This machine's lock on the index tag (TagLocks.acquire), so that local writers never race at all. */
      lock?: (repository: string, tag: string) => Promise<() => void>;
    } = {},
  ) {}

  /** Every referrer of `subject` (optionally of one artifact type), through the API where the registry has it. */
  async list(repository: string, subject: string, artifactType?: string): Promise<ReferrerList> {
    const api = await this.fromApi(repository, subject);
    const found = api ?? {
      via: 'tag' as const,
      referrers: (await this.readTagIndex(repository, subject)).index.manifests,
    };
    return artifactType
      ? { ...found, referrers: found.referrers.filter((r) => r.artifactType === artifactType) }
      : found;
  }

  /**
   * GET /v2/<name>/referrers/<digest>: the index, or undefined when the registry has no such API — 404 by the spec;
   * 405 and 501 as registries without the route also answer.
   */
  private async fromApi(repository: string, subject: string): Promise<ReferrerList | undefined> {
    const t = this.client.transport;
    return t.withRetry(`GET referrers of ${subject}`, async () => {
      const res = await t.send({
        method: 'GET',
        url: `/v2/${repository}/referrers/${subject}`,
        headers: { Accept: MediaType.ociIndex },
        scopes: [pullScope(repository)],
        repository,
        operation: `GET referrers of ${subject}`,
        ok: [200, 404, 405, 501],
      });
      if (res.status !== 200) {
        await res.body?.cancel();
        return undefined;
      }
      const index = indexSchema.safeParse(await res.json());
      if (!index.success)
        throw new RegistryError(`referrers of ${subject} on ${t.where(repository)}: not an image index`, 200);
      return { via: 'api' as const, referrers: index.data.manifests };
    });
  }

  /** The tag schema's index (empty when the tag does not exist) and its ETag, for a conditional write. */
  private async readTagIndex(repository: string, subject: string): Promise<{ index: ImageIndex; etag?: string }> {
    const tag = referrersTag(subject);
    const t = this.client.transport;
    return t.withRetry(`GET referrers tag ${tag}`, async () => {
      const res = await t.send({
        method: 'GET',
        url: `/v2/${repository}/manifests/${tag}`,
        headers: { Accept: MediaType.ociIndex },
        scopes: [pullScope(repository)],
        repository,
        operation: `GET referrers tag ${tag}`,
        ok: [200, 404],
      });
      if (res.status === 404) {
        await res.body?.cancel();
        return { index: emptyIndex() };
      }
      const parsed = indexSchema.safeParse(await res.json());
      if (!parsed.success)
        throw new RegistryError(`${t.where(repository)}:${tag} is not an image index (referrers tag schema)`, 200);
      return { index: parsed.data, etag: res.headers.get('etag') ?? undefined };
    });
  }

  /**
   * Uploads the artifact (its layer and the empty config), PUTs its manifest by digest with `subject`, and — when the
   * registry does not confirm the subject with `OCI-Subject` — adds it to the tag schema's index.
   */
  async attach(repository: string, subject: Descriptor, artifact: ArtifactToAttach): Promise<AttachedArtifact> {
    const c = this.client;
    const layerDigest = sha256Digest(artifact.layer.bytes);
    for (const [digest, bytes] of [
      [layerDigest, artifact.layer.bytes],
      [sha256Digest(EMPTY_CONFIG.bytes), EMPTY_CONFIG.bytes],
    ] as const) {
      if (!(await c.hasBlob(repository, digest))) await c.uploadBlob(repository, digest, bytes);
    }
    const bytes = artifactManifest(subject, artifact, layerDigest);
    const confirmed = await this.putArtifactManifest(repository, bytes, subject.digest);
    const descriptor: Descriptor = {
      mediaType: MediaType.ociManifest,
      digest: sha256Digest(bytes),
      size: bytes.length,
      artifactType: artifact.artifactType,
      ...(artifact.annotations ? { annotations: artifact.annotations } : {}),
    };
    if (confirmed) return { descriptor, via: 'api', added: true };
    const release = await this.options.lock?.(repository, referrersTag(subject.digest));
    try {
      const added = await this.addToTagIndex(repository, subject.digest, descriptor);
      return { descriptor, via: 'tag', added };
    } finally {
      release?.();
    }
  }

  /** PUT by digest; true when the registry answers `OCI-Subject: <subject>` (it indexes referrers itself). */
  private async putArtifactManifest(repository: string, bytes: Buffer, subject: string): Promise<boolean> {
    const t = this.client.transport;
    const digest = sha256Digest(bytes);
    return t.withRetry(`PUT artifact manifest ${digest}`, async () => {
      const res = await t.send({
        method: 'PUT',
        url: `/v2/${repository}/manifests/${digest}`,
        headers: { 'Content-Type': MediaType.ociManifest, 'Content-Length': String(bytes.length) },
        body: bytes,
        scopes: [pushScope(repository)],
        repository,
        operation: `PUT artifact manifest ${digest}`,
        ok: [200, 201],
      });
      await res.body?.cancel();
      return res.headers.get('oci-subject') === subject;
    });
  }

  /**
   * Read-modify-write of the `sha256-<hex>` index: every entry read is kept, ours added; the write is conditional
   * (If-Match) where the registry gives an ETag, and in every case read back: if another writer's index replaced
   * ours (or lost an entry we had read), merge again and rewrite, up to conflictRetries times.
   */
  private async addToTagIndex(repository: string, subject: string, entry: Descriptor): Promise<boolean> {
    const tag = referrersTag(subject);
    const wanted = new Map<string, Descriptor>([[entry.digest, entry]]);
    let added = false;
    for (let attempt = 0; attempt <= (this.options.conflictRetries ?? 5); attempt++) {
      const { index, etag } = await this.readTagIndex(repository, subject);
      for (const m of index.manifests) if (!wanted.has(m.digest)) wanted.set(m.digest, m);
      const have = new Set(index.manifests.map((m) => m.digest));
      if ([...wanted.keys()].every((d) => have.has(d))) return added;
      const merged = [...index.manifests, ...[...wanted.values()].filter((m) => !have.has(m.digest))];
      const bytes = Buffer.from(JSON.stringify({ ...index, mediaType: MediaType.ociIndex, manifests: merged }));
      if (await this.putTagIndex(repository, tag, bytes, etag)) added = true;
    }
    throw new RegistryError(
      `${this.client.transport.where(repository)}:${tag} kept changing while ${entry.digest} was being added (referrers tag schema); rerun`,
    );
  }

  /** False on 412 (the index changed since it was read). */
  private async putTagIndex(repository: string, tag: string, bytes: Buffer, etag?: string): Promise<boolean> {
    const t = this.client.transport;
    return t.withRetry(`PUT referrers tag ${tag}`, async () => {
      const res = await t.send({
        method: 'PUT',
        url: `/v2/${repository}/manifests/${tag}`,
        headers: {
          'Content-Type': MediaType.ociIndex,
          'Content-Length': String(bytes.length),
          ...(etag ? { 'If-Match': etag } : {}),
        },
        body: bytes,
        scopes: [pushScope(repository)],
        repository,
        operation: `PUT referrers tag ${tag}`,
        ok: [200, 201, 412],
      });
      await res.body?.cancel();
      return res.status !== 412;
    });
  }
}
