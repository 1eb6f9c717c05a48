/**
 * One repository as retention sees it: its tags (tag → digest), the manifests it can enumerate, manifest and blob
 * reads, and deletes. Two kinds: any OCI registry through the distribution API (tags from /tags/list + HEAD; a tag
 * DELETE where the registry supports one, else a tag goes only with its manifest), and ghcr.io through the GitHub
 * Packages API (a version per manifest digest, tags as its metadata; deleting a version deletes the manifest and
 * its tags). Manifests are always read from the registry itself: which manifest belongs to which image comes from
 * the manifests, never from the API's tags.
 */
import { randomBytes } from 'node:crypto';
import { RegistryClient, RegistryError } from './client';
import { GithubPackages, PackageVersion } from './github-packages';
import { pullScope } from './transport';

export interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
}

export interface ManifestStore {
  readonly kind: 'distribution' | 'github';
  /** registry/repository, for messages. */
  readonly image: string;
  /** Whether a tag can be deleted without its manifest (worked out once, without changing anything). */
  canDeleteTags(): Promise<boolean>;
  /** tag → manifest digest, read now. */
  readTags(): Promise<Map<string, string>>;
  /** The digest one tag names now, or undefined. */
  tagDigest(tag: string): Promise<string | undefined>;
  /** Every manifest digest the registry lists (GitHub: each package version), with its push time; else undefined. */
  listManifests(): Promise<Map<string, { pushedAt?: string }> | undefined>;
  /** A manifest by digest; undefined when the registry no longer has it. */
  getManifest(digest: string): Promise<StoredManifest | undefined>;
  getBlob(digest: string): Promise<Buffer>;
  /**
   * The manifests whose `subject` is this digest, from the OCI referrers API (`GET /v2/<name>/referrers/<digest>`);
   * undefined where the registry has no such API (then referrers are found by their fallback tag, or listed).
   */
  referrers(digest: string): Promise<string[] | undefined>;
  deleteTag(tag: string): Promise<'deleted' | 'gone'>;
  deleteManifest(digest: string): Promise<'deleted' | 'gone'>;
}

const isNotFound = (e: unknown) => e instanceof RegistryError && e.status === 404;

async function getOrUndefined(client: RegistryClient, repo: string, digest: string) {
  try {
    const m = await client.getManifest(repo, digest);
    return { bytes: m.bytes, mediaType: m.mediaType };
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** tag → digest for every tag (HEAD per tag, eight at a time); a tag deleted between list and HEAD is left out. */
export async function readTagDigests(client: RegistryClient, repository: string): Promise<Map<string, string>> {
  const tags = await client.listTags(repository);
  const out = new Map<string, string>();
  for (let i = 0; i < tags.length; i += 8) {
    const heads = await Promise.all(
      tags.slice(i, i + 8).map(async (t) => [t, await client.headManifest(repository, t)] as const),
    );
    for (const [t, head] of heads) if (head) out.set(t, head.digest);
  }
  return out;
}

/** Any OCI registry through the distribution API. */
export class DistributionStore implements ManifestStore {
  readonly kind = 'distribution' as const;
  readonly image: string;
  private tagDelete?: boolean;
  private referrersApi?: boolean;

  constructor(
    private readonly client: RegistryClient,
    private readonly repository: string,
    image?: string,
  ) {
    this.image = image ?? `${client.registry}/${repository}`;
  }

  /**
   * DELETE of a tag no one has: 404 where tag deletes exist (distribution 3), 400/405 where they do not
   * (distribution 2.8 answers 400 DIGEST_INVALID). Nothing is named by it, so nothing changes.
   */
  async canDeleteTags(): Promise<boolean> {
    if (this.tagDelete === undefined) {
      const probe = `lucid-prune-probe-${randomBytes(8).toString('hex')}`;
      try {
        this.tagDelete = (await this.client.deleteTag(this.repository, probe)) !== 'unsupported';
      } catch (e) {
        // A read-only token (a dry run in CI) may not DELETE at all: plan as if tags went only with their manifest.
        if (!(e instanceof RegistryError && (e.status === 401 || e.status === 403))) throw e;
        this.tagDelete = false;
      }
    }
    return this.tagDelete;
  }

  readTags(): Promise<Map<string, string>> {
    return readTagDigests(this.client, this.repository);
  }

  async tagDigest(tag: string): Promise<string | undefined> {
    return (await this.client.headManifest(this.repository, tag))?.digest;
  }

  /** The distribution API lists no untagged manifests. */
  async listManifests(): Promise<undefined> {
    return undefined;
  }

  getManifest(digest: string): Promise<StoredManifest | undefined> {
    return getOrUndefined(this.client, this.repository, digest);
  }

  getBlob(digest: string): Promise<Buffer> {
    return this.client.getBlob(this.repository, digest);
  }

  /** A 404 means the registry has no referrers API (a registry with one answers an empty index): asked once. */
  async referrers(digest: string): Promise<string[] | undefined> {
    if (this.referrersApi === false) return undefined;
    const repository = this.repository;
    const body = await this.client.withRetry(`GET referrers ${digest}`, async () => {
      const res = await this.client.transport.send({
        method: 'GET',
        url: `/v2/${repository}/referrers/${digest}`,
        headers: { Accept: 'application/vnd.oci.image.index.v1+json' },
        scopes: [pullScope(repository)],
        repository,
        operation: `GET referrers ${digest}`,
        // A registry without the route: 404, 400, 405, or 501 (not implemented), never worth a retry.
        ok: [200, 404, 400, 405, 501],
      });
      if (res.status !== 200) {
        await res.body?.cancel();
        return undefined;
      }
      return (await res.json()) as { manifests?: Array<{ digest: string }> };
    });
    this.referrersApi = body !== undefined;
    return body ? (body.manifests ?? []).map((m) => m.digest) : undefined;
  }

  async deleteTag(tag: string): Promise<'deleted' | 'gone'> {
    const r = await this.client.deleteTag(this.repository, tag);
    if (r === 'unsupported') throw new Error(`${this.image} does not delete tags alone (DELETE ${tag} refused)`);
    return r === 'unknown' ? 'gone' : 'deleted';
  }

  async deleteManifest(digest: string): Promise<'deleted' | 'gone'> {
    try {
      await this.client.deleteManifest(this.repository, digest);
      return 'deleted';
    } catch (e) {
      if (isNotFound(e)) return 'gone';
      if (e instanceof RegistryError && e.status === 405)
        throw new Error(
          `${this.image} refuses manifest DELETE (HTTP 405${e.code ? ` ${e.code}` : ''}): deleting is off in this registry (distribution: storage.delete.enabled, REGISTRY_STORAGE_DELETE_ENABLED=true); ${digest} and what follows it were not deleted`,
          { cause: e },
        );
      throw e;
    }
  }
}

/** ghcr.io: tags and versions from the GitHub Packages API, manifests from the registry, deletes by version. */
export class GithubPackagesStore implements ManifestStore {
  readonly kind = 'github' as const;
  private versions = new Map<string, PackageVersion>();

  constructor(
    private readonly client: RegistryClient,
    private readonly repository: string,
    private readonly packages: GithubPackages,
    readonly image = `${client.registry}/${repository}`,
  ) {}

  /** A GitHub package version is a manifest: a tag goes only with it. */
  async canDeleteTags(): Promise<boolean> {
    return false;
  }

  private async refresh(): Promise<PackageVersion[]> {
    const listed = await this.packages.listVersions();
    this.versions = new Map(listed.map((v) => [v.name, v]));
    return listed;
  }

  async readTags(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const v of await this.refresh()) for (const t of v.metadata?.container?.tags ?? []) out.set(t, v.name);
    return out;
  }

  async tagDigest(tag: string): Promise<string | undefined> {
    return (await this.readTags()).get(tag);
  }

  async listManifests(): Promise<Map<string, { pushedAt?: string }>> {
    return new Map((await this.refresh()).map((v) => [v.name, { pushedAt: v.created_at }]));
  }

  getManifest(digest: string): Promise<StoredManifest | undefined> {
    return getOrUndefined(this.client, this.repository, digest);
  }

  getBlob(digest: string): Promise<Buffer> {
    return this.client.getBlob(this.repository, digest);
  }

  /** ghcr.io lists every manifest as a version, referrers included: no referrers API needed. */
  async referrers(): Promise<undefined> {
    return undefined;
  }

  async deleteTag(tag: string): Promise<'deleted' | 'gone'> {
    throw new Error(`${this.image}: GitHub Packages deletes tag ${tag} only with its version`);
  }

  async deleteManifest(digest: string): Promise<'deleted' | 'gone'> {
    let version = this.versions.get(digest);
    if (!version) version = (await this.refresh()).find((v) => v.name === digest);
    if (!version) return 'gone';
    return this.packages.deleteVersionIfPresent(version.id);
  }
}
