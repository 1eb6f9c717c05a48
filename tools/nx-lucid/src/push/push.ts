/**
 * Pushing an OCI layout's image index: blobs the registry lacks (mounted from a sibling repository when
 * one has them), then each manifest by digest, then the index by digest, and only then the tags. A tag
 * is therefore never written before everything it names is in the registry.
 */
import { ImmutableTagError } from '../image/tag-moves';
import { RegistryClient, RegistryError } from '../registry/client';
import { fileBytes, uploadShared } from '../registry/blob-upload';
import { mapLimit } from '../registry/map-limit';
import { verifyPushSource } from './preflight';
import { TagLocks } from '../registry/tag-lock';
import { UploadState } from '../registry/upload-state';

export type { PushBlob, PushManifest, PushSource } from './push-source';
export { readPushSource } from './push-source';
import { blobFileOf, type PushSource } from './push-source';
import { formatBytes } from '../boundary/format-bytes';

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
  /**
   * The caller checked (imageComplete) that every tag names this index and the registry still has everything it
   * reaches: nothing is sent. Without it pushImage checks itself.
   */
  complete?: boolean;
  /** The version (immutable) tags among `tags`: checked again and written under a lock, then read back. */
  versionTags?: readonly string[];
  /** Move a version tag that names another digest. */
  force?: boolean;
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

/**
 * Whether the repository has the blob. A HEAD the registry keeps answering with a 5xx (after the client's retries)
 * counts as missing: distribution answers 500 for a blob whose link file a full disk left empty, and only sending
 * the blob again (upload or mount) rewrites that link. A registry that is down fails the upload instead.
 */
async function repositoryHas(
  client: RegistryClient,
  repository: string,
  digest: string,
  log?: (line: string) => void,
): Promise<boolean> {
  try {
    return await client.hasBlob(repository, digest);
  } catch (e) {
    if (!(e instanceof RegistryError && e.status !== undefined && e.status >= 500)) throw e;
    log?.(`  ! ${e.message}: the registry cannot read its copy; sending ${short(digest)} again`);
    return false;
  }
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

/**
 * Whether the image is complete in the repository: every tag already names the index, and the registry still has
 * each manifest and blob the tags reach (one HEAD each: a registry that lost data, e.g. to a full disk, keeps the
 * tags but not what they name, and a rerun must repair it rather than trust the tags).
 */
export async function imageComplete(
  client: RegistryClient,
  source: PushSource,
  options: Pick<PushOptions, 'repository' | 'tags' | 'currentTags' | 'concurrency' | 'log'>,
): Promise<boolean> {
  if (!tagsNameIndex(options.tags, options.currentTags, source.index.digest)) return false;
  const repo = options.repository;
  const missing: string[] = [];
  await mapLimit(source.blobs, options.concurrency ?? 3, async (blob) => {
    if (!(await repositoryHas(client, repo, blob.digest))) missing.push(`blob ${short(blob.digest)}`);
  });
  for (const m of source.manifests)
    if (!(await client.headManifest(repo, m.digest))) missing.push(`manifest ${short(m.digest)}`);
  if (missing.length)
    options.log?.(
      `  ! every tag names ${short(source.index.digest)} but the registry lacks ${missing.join(', ')}: repairing`,
    );
  return missing.length === 0;
}

function emptyCounts(total: number): BlobCounts {
  return {
    total,
    uploaded: 0,
    uploadedBytes: 0,
    mounted: 0,
    mountedBytes: 0,
    skipped: 0,
    skippedBytes: 0,
    resumedBytes: 0,
  };
}

function platformsOf(source: PushSource): string[] {
  return source.manifests.map((m) => m.platform).filter((p): p is string => !!p);
}

export async function pushImage(client: RegistryClient, source: PushSource, options: PushOptions): Promise<PushResult> {
  const log = options.log ?? (() => undefined);
  const counts = emptyCounts(source.blobs.length);
  const result = (tags: string[], unchangedTags: string[], manifestsPut: number): PushResult => ({
    digest: source.index.digest,
    repository: options.repository,
    tags,
    unchangedTags,
    platforms: platformsOf(source),
    blobs: counts,
    manifestsPut,
    dryRun: options.dryRun,
  });
  if (options.complete ?? (await imageComplete(client, source, options))) {
    counts.skipped = source.blobs.length;
    counts.skippedBytes = source.blobs.reduce((n, b) => n + b.size, 0);
    log(`  = every tag already names ${short(source.index.digest)}: the image is complete there, nothing to send`);
    return result([], [...options.tags], 0);
  }
  await pushBlobs(client, source, options, counts);
  const manifestsPut = await putManifests(client, source, options);
  const { tags, unchangedTags } = await putTags(client, source, options);
  return result(tags, unchangedTags, manifestsPut);
}

/**
 * 0. Which blobs the repository already has (read-only), then the whole image is sound, or nothing is sent: every
 * blob it lacks hashes to its digest. A blob it has is the registry's by digest, so its local copy is only
 * size-checked, and a no-op push reads no layer. 1. The blobs it lacks: mounted, else uploaded.
 */
async function pushBlobs(
  client: RegistryClient,
  source: PushSource,
  options: PushOptions,
  counts: BlobCounts,
): Promise<void> {
  const repo = options.repository;
  const present = new Set<string>();
  await mapLimit(source.blobs, options.concurrency ?? 3, async (blob) => {
    if (await repositoryHas(client, repo, blob.digest, options.log)) present.add(blob.digest);
  });
  await verifyPushSource(source, present);
  const ctx: BlobPushContext = {
    client,
    source,
    options,
    counts,
    state: options.stateDir ? new UploadState(options.stateDir, client.registry) : undefined,
    candidates: [...new Set(options.mountFrom ?? [])].filter((r) => r !== repo),
    log: options.log ?? (() => undefined),
  };
  await mapLimit(source.blobs, options.concurrency ?? 3, async (blob, stopped) => {
    if (!present.has(blob.digest)) return pushMissingBlob(ctx, blob, stopped);
    counts.skipped++;
    counts.skippedBytes += blob.size;
    ctx.log(`  = ${short(blob.digest)} ${formatBytes(blob.size)} already present`);
  });
}

interface BlobPushContext {
  client: RegistryClient;
  source: PushSource;
  options: PushOptions;
  counts: BlobCounts;
  state?: UploadState;
  candidates: string[];
  log: (line: string) => void;
}

/** Mounts the blob from a repository that has it, else uploads it (resumable, once across concurrent pushes). */
async function pushMissingBlob(
  ctx: BlobPushContext,
  blob: PushSource['blobs'][number],
  stopped: () => boolean,
): Promise<void> {
  const { client, options, counts, log } = ctx;
  const repo = options.repository;
  const would = options.dryRun ? 'would ' : '';
  for (const from of ctx.candidates) {
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
    { client, repository: repo, state: ctx.state, stopped, log },
    blob.digest,
    fileBytes(blobFileOf(ctx.source.layout, blob.digest), blob.size),
  );
  countOutcome(counts, blob, outcome, log);
}

function countOutcome(
  counts: BlobCounts,
  blob: PushSource['blobs'][number],
  outcome: Awaited<ReturnType<typeof uploadShared>>,
  log: (line: string) => void,
): void {
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
}

/** 2. Manifests, then 3. the index, by digest: each only once everything it references is present. */
async function putManifests(client: RegistryClient, source: PushSource, options: PushOptions): Promise<number> {
  const repo = options.repository;
  let manifestsPut = 0;
  for (const m of [...source.manifests, source.index]) {
    if (await client.headManifest(repo, m.digest)) continue;
    if (!options.dryRun) await client.putManifest(repo, m.digest, m.bytes, m.mediaType);
    manifestsPut++;
    options.log?.(
      `  ↑ ${m === source.index ? 'index' : `manifest ${m.platform ?? ''}`.trim()} ${short(m.digest)} ${options.dryRun ? 'would ' : ''}put by digest`,
    );
  }
  return manifestsPut;
}

/** 4. Tags: the exact index bytes under each tag, so the digest is the same. */
async function putTags(
  client: RegistryClient,
  source: PushSource,
  options: PushOptions,
): Promise<{ tags: string[]; unchangedTags: string[] }> {
  const digest = source.index.digest;
  const known = options.currentTags;
  const locks = options.stateDir ? new TagLocks(options.stateDir, client.registry) : undefined;
  const tags: string[] = [];
  const unchangedTags: string[] = [];
  for (const tag of options.tags) {
    const version = !options.dryRun && (options.versionTags ?? []).includes(tag);
    const before = version
      ? await writeVersionTag(client, source, options, tag, locks)
      : await writeTag(client, source, options, tag, known);
    if (before === digest) {
      unchangedTags.push(tag);
      options.log?.(`  = tag ${tag} already names ${short(digest)}`);
      continue;
    }
    tags.push(tag);
    options.log?.(
      `  ⇒ tag ${tag} ${options.dryRun ? 'would ' : ''}name ${short(digest)}${before ? ` (was ${short(before)})` : ''}`,
    );
  }
  return { tags, unchangedTags };
}

/** A moving tag: written unless it already names the index. Returns what it named before. */
async function writeTag(
  client: RegistryClient,
  source: PushSource,
  options: PushOptions,
  tag: string,
  known: ReadonlyMap<string, string | undefined> | undefined,
): Promise<string | undefined> {
  const current = known?.has(tag) ? known.get(tag) : (await client.headManifest(options.repository, tag))?.digest;
  if (current !== source.index.digest && !options.dryRun)
    await client.putManifest(options.repository, tag, source.index.bytes, source.index.mediaType);
  return current;
}

/**
 * A version tag: under this machine's lock for the tag, read it again (another push may have written it since the
 * check before the upload), refuse a move unless forced, write it, and read it back: a push elsewhere that won the
 * race is reported with both digests, never as a success.
 */
async function writeVersionTag(
  client: RegistryClient,
  source: PushSource,
  options: PushOptions,
  tag: string,
  locks: TagLocks | undefined,
): Promise<string | undefined> {
  const repo = options.repository;
  const digest = source.index.digest;
  const image = `${client.registry}/${repo}`;
  const release = await locks?.acquire(repo, tag);
  try {
    const before = (await client.headManifest(repo, tag))?.digest;
    if (before === digest) return before;
    if (before && !options.force) throw new ImmutableTagError([{ tag, before, after: digest, immutable: true }], image);
    await client.putManifest(repo, tag, source.index.bytes, source.index.mediaType);
    const after = (await client.headManifest(repo, tag))?.digest;
    if (after !== digest)
      throw new RegistryError(
        `${image}:${tag}: another push won the race for this version tag: it names ${after ?? '(nothing)'}, not ${digest} written by this push`,
      );
    return before;
  } finally {
    release?.();
  }
}
