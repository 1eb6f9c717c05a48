/**
 * Images as BuildKit pushes them, made in memory for retention tests (no engine): an OCI index of two platform
 * manifests, each with an attestation manifest (platform unknown/unknown, vnd.docker.reference.* annotations,
 * an in-toto layer), the index annotated with org.opencontainers.image.created; a referrer (an artifact manifest
 * whose `subject` is the index) and the OCI referrers fallback index tagged `sha256-<hex>`. Pushed with our client.
 */
import { randomBytes } from 'node:crypto';
import { sha256Digest } from '../../oci/digest';
import { MediaType } from '../../oci/media-types';
import type { RegistryClient } from '../client';

export interface FixtureManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface FixtureImage {
  index: FixtureManifest;
  /** Every manifest, parts before what lists them (push order). */
  manifests: FixtureManifest[];
  blobs: Map<string, Buffer>;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const manifestOf = (mediaType: string, value: unknown): FixtureManifest => {
  const bytes = json(value);
  return { digest: sha256Digest(bytes), mediaType, bytes };
};
const descriptor = (m: FixtureManifest, extra: Record<string, unknown> = {}) => ({
  mediaType: m.mediaType,
  digest: m.digest,
  size: m.bytes.length,
  ...extra,
});

function blob(blobs: Map<string, Buffer>, bytes: Buffer, mediaType: string) {
  const digest = sha256Digest(bytes);
  blobs.set(digest, bytes);
  return { mediaType, digest, size: bytes.length };
}

function platformImage(blobs: Map<string, Buffer>, arch: string, created: string, base: Buffer, layerBytes: number) {
  const shared = blob(blobs, base, MediaType.ociLayerGzip);
  const own = blob(blobs, randomBytes(layerBytes), MediaType.ociLayerGzip);
  const config = blob(
    blobs,
    json({
      architecture: arch,
      os: 'linux',
      created,
      config: { User: '65532:65532', Labels: { 'org.opencontainers.image.created': created } },
      rootfs: { type: 'layers', diff_ids: [sha256Digest(`${shared.digest}-diff`), sha256Digest(`${own.digest}-diff`)] },
    }),
    MediaType.ociConfig,
  );
  return manifestOf(MediaType.ociManifest, {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config,
    layers: [shared, own],
  });
}

function attestation(blobs: Map<string, Buffer>, subject: FixtureManifest) {
  const statement = blob(
    blobs,
    json({
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: 'https://slsa.dev/provenance/v0.2',
      nonce: randomBytes(8).toString('hex'),
    }),
    'application/vnd.in-toto+json',
  );
  const config = blob(
    blobs,
    json({
      architecture: 'unknown',
      os: 'unknown',
      config: {},
      rootfs: { type: 'layers', diff_ids: [statement.digest] },
    }),
    MediaType.ociConfig,
  );
  const m = manifestOf(MediaType.ociManifest, {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config,
    layers: [{ ...statement, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } }],
  });
  return {
    manifest: m,
    entry: descriptor(m, {
      platform: { architecture: 'unknown', os: 'unknown' },
      annotations: {
        'vnd.docker.reference.type': 'attestation-manifest',
        'vnd.docker.reference.digest': subject.digest,
      },
    }),
  };
}

/** A two-platform image with attestations; `base` is the layer every platform (and service) shares. */
export function makeImage(o: { created: string; base?: Buffer; layerBytes?: number; arches?: string[] }): FixtureImage {
  const blobs = new Map<string, Buffer>();
  const base = o.base ?? randomBytes(4096);
  const manifests: FixtureManifest[] = [];
  const entries: unknown[] = [];
  const attestations: unknown[] = [];
  for (const arch of o.arches ?? ['amd64', 'arm64']) {
    const m = platformImage(blobs, arch, o.created, base, o.layerBytes ?? 2048);
    const a = attestation(blobs, m);
    manifests.push(m, a.manifest);
    entries.push(descriptor(m, { platform: { architecture: arch, os: 'linux' } }));
    attestations.push(a.entry);
  }
  const index = manifestOf(MediaType.ociIndex, {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [...entries, ...attestations],
    annotations: { 'org.opencontainers.image.created': o.created },
  });
  manifests.push(index);
  return { index, manifests, blobs };
}

/** A signature-like artifact whose subject is `subject`, and the referrers fallback index listing it. */
export function makeReferrer(subject: FixtureManifest): { referrer: FixtureImage; fallbackTag: string } {
  const blobs = new Map<string, Buffer>();
  const empty = blob(blobs, Buffer.from('{}'), 'application/vnd.oci.empty.v1+json');
  const bundle = blob(
    blobs,
    json({ signature: randomBytes(32).toString('base64') }),
    'application/vnd.dev.sigstore.bundle.v0.3+json',
  );
  const artifactType = 'application/vnd.dev.sigstore.bundle.v0.3+json';
  const referrer = manifestOf(MediaType.ociManifest, {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    artifactType,
    config: empty,
    layers: [bundle],
    subject: descriptor(subject),
  });
  const fallback = manifestOf(MediaType.ociIndex, {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [descriptor(referrer, { artifactType })],
  });
  return {
    referrer: { index: fallback, manifests: [referrer, fallback], blobs },
    fallbackTag: subject.digest.replace(':', '-'),
  };
}

/** Blobs, then manifests parts-first by digest, then each tag on the image's top manifest. */
export async function pushFixture(client: RegistryClient, repo: string, image: FixtureImage, tags: string[]) {
  for (const [digest, bytes] of image.blobs)
    if (!(await client.hasBlob(repo, digest))) await client.uploadBlob(repo, digest, bytes);
  for (const m of image.manifests) await client.putManifest(repo, m.digest, m.bytes, m.mediaType);
  for (const t of tags) await client.putManifest(repo, t, image.index.bytes, image.index.mediaType);
}

export const SCENARIO_NOW = new Date('2026-12-08T00:00:00Z');
const daysAgo = (d: number) => new Date(SCENARIO_NOW.getTime() - d * 86400000).toISOString();
const sha = (c: string) => c.repeat(40);

/**
 * The retention specs' repository: images A–H sharing one base layer, as of SCENARIO_NOW. With keepShaTags 2,
 * keepDays 30, branchTags [main]: A (v1.0.0), F (5 days old), G (latest) and H (main, 2nd newest sha) are kept;
 * B, C, D, E go. C and G each have a referrer with its fallback tag. sha('9') is an all-digit commit id.
 */
export function retentionScenario() {
  const base = randomBytes(4096);
  const ages: Record<string, number> = { A: 100, B: 90, C: 80, D: 70, E: 60, F: 5, G: 50, H: 40 };
  const images = Object.fromEntries(
    Object.entries(ages).map(([k, d]) => [k, makeImage({ created: daysAgo(d), base })]),
  ) as Record<string, FixtureImage>;
  const tags: Record<string, string[]> = {
    A: ['v1.0.0', sha('a'), `phase1-${sha('a')}`],
    B: [sha('b'), `phase1-${sha('b')}`],
    C: [sha('c'), `phase1-${sha('c')}`],
    D: [sha('d')],
    E: ['pr-15'],
    F: [sha('f')],
    G: ['latest', sha('9')],
    H: ['main', sha('8')],
  };
  const dropped = makeReferrer(images.C.index);
  const kept = makeReferrer(images.G.index);
  return {
    /** The layer every image shares. */
    base,
    images,
    tags,
    ages,
    referrer: dropped.referrer,
    fallbackTag: dropped.fallbackTag,
    keptReferrer: kept.referrer,
    keptFallback: kept.fallbackTag,
    kept: ['A', 'F', 'G', 'H'],
    deleted: ['B', 'C', 'D', 'E'],
    /** The tags the policy keeps, per kept image. */
    keptTags: { A: ['v1.0.0'], F: [sha('f')], G: ['latest'], H: ['main', sha('8')] } as Record<string, string[]>,
    /** Dropped tags of kept images: a registry without tag DELETE cannot remove them. */
    blockedTags: [sha('9'), sha('a'), `phase1-${sha('a')}`],
    policy: { keepShaTags: 2, keepDays: 30, branchTags: ['main'] },
    daysAgo,
  };
}
