/**
 * Pushing an OCI layout's image index: blobs the registry lacks (mounted from a sibling repository when
 * one has them), then each manifest by digest, then the index by digest, and only then the tags. A tag
 * is therefore never written before everything it names is in the registry.
 */
import { RegistryClient, RegistryError } from '../registry/client';
import { fileBytes, uploadShared } from '../registry/blob-upload';
import { mapLimit } from '../registry/map-limit';
import { verifyPushSource } from './preflight';
import { UploadState } from '../registry/upload-state';

export type { PushBlob, PushManifest, PushSource } from './push-source';
export { readPushSource } from './push-source';
import { blobFileOf, type PushSource } from './push-source';

export interface PushOptions {
  repository: string;
  tags: string[];
  dryRun: boolean;
  /** Repositories of the same registry that may already hold our blobs (siblings, the base image). */
  mountFrom?: string[];
  concurrency?: number;
  log?: (line: string) => void;
  /** Where resumable upload sessions and shared-blob locks live (<workspace>/.lucid); without it neither. */
  stateDir?: string;
  /**
   * The digest each tag names now (undefined: no such tag), when the caller has read them (the immutability check
   * does): the tags are not read again. When every tag already names this index, the image is complete there as it
   * stands (tags go last, after the index, its manifests and their blobs, and a registry takes a manifest only once
   * what it references is present), so nothing else is asked and nothing is read from the layout.
   */
  currentTags?: ReadonlyMap<string, string | undefined>;
}

export interface BlobCounts {
  total: number;
  uploaded: number;
  uploadedBytes: number;
  mounted: number;
  mountedBytes: number;
  skipped: number;
  skippedBytes: number;
  /** Bytes not sent again because an upload resumed a session the registry kept. */
  resumedBytes: number;
}

export interface PushResult {
  digest: string;
  repository: string;
  tags: string[];
  /** Tags already naming this digest (left as they were). */
  unchangedTags: string[];
  platforms: string[];
  blobs: BlobCounts;
  manifestsPut: number;
  dryRun: boolean;
}

export interface SiblingPush {
  /** Repository path in the registry, e.g. hamigames/lucid/auth-service. */
  repository: string;
  /** Image its last push went to (push.json), e.g. 127.0.0.1:5055/hamigames/lucid/auth-service. */
  pushedImage?: string;
  pushedAtMs?: number;
}

/**
 * Mount sources in the order most likely to hold a missing blob: siblings whose last push went to this
 * registry and namespace, newest first (services built on one base share its layers), then the rest by name.
 * Without it the first few siblings by name, often not pushed yet, are probed and shared layers are uploaded again.
 */
export function rankMountSources(siblings: readonly SiblingPush[], imagePrefix: string): string[] {
  const pushedHere = (s: SiblingPush) => s.pushedImage !== undefined && s.pushedImage.startsWith(imagePrefix);
  return [...siblings]
    .sort((a, b) => {
      const pa = pushedHere(a);
      const pb = pushedHere(b);
      if (pa !== pb) return pa ? -1 : 1;
      if (pa && pb && a.pushedAtMs !== b.pushedAtMs) return (b.pushedAtMs ?? 0) - (a.pushedAtMs ?? 0);
      return a.repository.localeCompare(b.repository);
    })
    .map((s) => s.repository);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 10 ? 0 : 1)} ${units[i]}`;
}

/** A sibling we may not read, or that does not exist, is simply not a source; a registry that stopped answering is a failure. */
async function siblingHas(client: RegistryClient, from: string, digest: string): Promise<boolean> {
  try {
    return await client.hasBlob(from, digest);
  } catch (e) {
    if (e instanceof RegistryError && e.status !== undefined) return false;
    throw e;
  }
}

class Stopped extends Error {}

const short = (digest: string) => digest.slice(0, 19);

/** Whether every tag (at least one) already names `digest`: the image is then complete in that repository. */
export function tagsNameIndex(
  tags: readonly string[],
  current: ReadonlyMap<string, string | undefined> | undefined,
  digest: string,
): boolean {
  return !!current && tags.length > 0 && tags.every((t) => current.get(t) === digest);
}

export async function pushImage(client: RegistryClient, source: PushSource, options: PushOptions): Promise<PushResult> {
  const log = options.log ?? (() => undefined);
  const repo = options.repository;
  const would = options.dryRun ? 'would ' : '';
  const counts: BlobCounts = {
    total: source.blobs.length,
    uploaded: 0,
    uploadedBytes: 0,
    mounted: 0,
    mountedBytes: 0,
    skipped: 0,
    skippedBytes: 0,
    resumedBytes: 0,
  };
  const known = options.currentTags;
  if (tagsNameIndex(options.tags, known, source.index.digest)) {
    counts.skipped = source.blobs.length;
    counts.skippedBytes = source.blobs.reduce((n, b) => n + b.size, 0);
    log(`  = every tag already names ${short(source.index.digest)}: the image is complete there, nothing to send`);
    return {
      digest: source.index.digest,
      repository: repo,
      tags: [],
      unchangedTags: [...options.tags],
      platforms: source.manifests.map((m) => m.platform).filter((p): p is string => !!p),
      blobs: counts,
      manifestsPut: 0,
      dryRun: options.dryRun,
    };
  }
  const state = options.stateDir ? new UploadState(options.stateDir, client.registry) : undefined;
  const candidates = [...new Set(options.mountFrom ?? [])].filter((r) => r !== repo);
  // 0. Which blobs the repository already has (read-only), then the whole image is sound, or nothing is sent:
  // every blob it lacks hashes to its digest. A blob it has is the registry's by digest, so its local copy is
  // only size-checked, and a no-op push reads no layer.
  const present = new Set<string>();
  await mapLimit(source.blobs, options.concurrency ?? 3, async (blob) => {
    if (await client.hasBlob(repo, blob.digest)) present.add(blob.digest);
  });
  await verifyPushSource(source, present);

  // 1. Blobs the registry lacks.
  await mapLimit(source.blobs, options.concurrency ?? 3, async (blob, stopped) => {
    if (present.has(blob.digest)) {
      counts.skipped++;
      counts.skippedBytes += blob.size;
      log(`  = ${short(blob.digest)} ${formatBytes(blob.size)} already present`);
      return;
    }
    for (const from of candidates) {
      // Once the push has failed, probing further mount sources only delays the report.
      if (stopped()) throw new Stopped();
      if (!(await siblingHas(client, from, blob.digest))) continue;
      if (options.dryRun || (await client.mountBlob(repo, blob.digest, from))) {
        counts.mounted++;
        counts.mountedBytes += blob.size;
        log(`  ⇢ ${short(blob.digest)} ${formatBytes(blob.size)} ${would}mount from ${from}`);
        return;
      }
    }
    if (stopped()) throw new Stopped();
    if (options.dryRun) {
      counts.uploaded++;
      counts.uploadedBytes += blob.size;
      log(`  ↑ ${short(blob.digest)} ${formatBytes(blob.size)} would upload`);
      return;
    }
    const outcome = await uploadShared(
      { client, repository: repo, state, stopped },
      blob.digest,
      fileBytes(blobFileOf(source.layout, blob.digest), blob.size),
    );
    if (outcome.kind === 'uploaded') {
      counts.uploaded++;
      counts.uploadedBytes += blob.size - outcome.resumedBytes;
      counts.resumedBytes += outcome.resumedBytes;
      log(
        `  ↑ ${short(blob.digest)} ${formatBytes(blob.size)} upload${outcome.resumedBytes ? ` (resumed at ${formatBytes(outcome.resumedBytes)})` : ''}`,
      );
    } else if (outcome.kind === 'mounted') {
      counts.mounted++;
      counts.mountedBytes += blob.size;
      log(`  ⇢ ${short(blob.digest)} ${formatBytes(blob.size)} mount from ${outcome.from} (after its upload)`);
    } else {
      counts.skipped++;
      counts.skippedBytes += blob.size;
      log(`  = ${short(blob.digest)} ${formatBytes(blob.size)} already present (uploaded meanwhile)`);
    }
  });

  // 2. Manifests, then 3. the index, by digest: each only once everything it references is present.
  let manifestsPut = 0;
  for (const m of [...source.manifests, source.index]) {
    const present = await client.headManifest(repo, m.digest);
    if (present) continue;
    if (!options.dryRun) await client.putManifest(repo, m.digest, m.bytes, m.mediaType);
    manifestsPut++;
    log(
      `  ↑ ${m === source.index ? 'index' : `manifest ${m.platform ?? ''}`.trim()} ${short(m.digest)} ${would}put by digest`,
    );
  }

  // 4. Tags: the exact index bytes under each tag, so the digest is the same.
  const tags: string[] = [];
  const unchangedTags: string[] = [];
  for (const tag of options.tags) {
    const current = known?.has(tag) ? { digest: known.get(tag) } : await client.headManifest(repo, tag);
    if (current?.digest === source.index.digest) {
      unchangedTags.push(tag);
      log(`  = tag ${tag} already names ${short(source.index.digest)}`);
      continue;
    }
    if (!options.dryRun) await client.putManifest(repo, tag, source.index.bytes, source.index.mediaType);
    tags.push(tag);
    log(
      `  ⇒ tag ${tag} ${would}name ${short(source.index.digest)}${current?.digest ? ` (was ${short(current.digest)})` : ''}`,
    );
  }

  return {
    digest: source.index.digest,
    repository: repo,
    tags,
    unchangedTags,
    platforms: source.manifests.map((m) => m.platform).filter((p): p is string => !!p),
    blobs: counts,
    manifestsPut,
    dryRun: options.dryRun,
  };
}
