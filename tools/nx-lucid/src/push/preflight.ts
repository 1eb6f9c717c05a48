/**
 * The check a push makes before its first request that changes a registry: every blob the index and its
 * manifests name is in the layout, has its descriptor's size and, unless the registry already has it, hashes
 * to its digest (streamed, so a large layer is never held in memory), and metadata.json agrees with the layout
 * and the project.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { BuildMetadata } from '../artifacts/metadata';
import { SourcedLayout } from '../registry/blob-source';
import { platformString } from '../oci/types';
import type { PushSource } from './push-source';

/** sha256 of a file, read in a stream. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Throws naming the first bad file and what differs. Blobs in `present` (the target repository has them by
 * digest, so their bytes are not sent) are checked for existence and size only, not hashed.
 */
export async function verifyPushSource(source: PushSource, present: ReadonlySet<string> = new Set()): Promise<void> {
  const show = (p: string) => p;
  for (const m of [...source.manifests, source.index]) {
    const file = show(source.layout.blobPath(m.digest));
    if (m.size !== undefined && m.bytes.length !== m.size) {
      throw new Error(
        `${file} (${m.mediaType}) is ${m.bytes.length} bytes but its descriptor says ${m.size}; rebuild (nothing was pushed)`,
      );
    }
  }
  const layout = source.layout;
  const sourced = layout instanceof SourcedLayout ? layout : undefined;
  for (const blob of source.blobs) {
    const of = blob.referencedBy ? ` named by manifest ${blob.referencedBy}` : '';
    // A slim output's base layer that is in neither the output nor the store: mounted or fetched by digest
    // (both checked by digest), so only its recorded size can be compared here.
    if (sourced && sourced.missing([blob.digest]).length) {
      const recorded = sourced.external?.blobs.find((b) => b.digest === blob.digest);
      if (recorded && recorded.size !== blob.size) {
        throw new Error(
          `${layout.dir}/external-blobs.json records ${blob.digest} as ${recorded.size} bytes but its descriptor${of} says ${blob.size}; rebuild (nothing was pushed)`,
        );
      }
      continue;
    }
    const path = sourced ? sourced.blobFile(blob.digest) : layout.blobPath(blob.digest);
    const file = show(path);
    if (!existsSync(path))
      throw new Error(`${file} is missing: blob ${blob.digest} (${blob.mediaType})${of}; rebuild (nothing was pushed)`);
    const size = statSync(path).size;
    if (size !== blob.size) {
      throw new Error(
        `${file} is ${size} bytes but the descriptor of ${blob.digest} (${blob.mediaType})${of} says ${blob.size}; the file is truncated or corrupt, rebuild (nothing was pushed)`,
      );
    }
    if (present.has(blob.digest)) continue;
    const actual = await hashFile(path);
    if (actual !== blob.digest) {
      throw new Error(
        `${file} is corrupt: blob ${blob.digest} (${blob.mediaType})${of} hashes to ${actual}; rebuild (nothing was pushed)`,
      );
    }
  }
}

// As the layout's manifests are keyed: a default variant (arm64/v8, amd64/v1) is the bare architecture.
const platformKey = (p: { os: string; architecture: string; variant?: string }) => platformString(p);

/** metadata.json against the layout it sits beside and the project being pushed; throws naming the field that differs. */
export function checkMetadata(
  metadata: BuildMetadata,
  source: PushSource,
  expected: { project: string; file: string },
): void {
  const { file } = expected;
  const fail = (what: string) => {
    throw new Error(`${file} ${what}; rebuild (nothing was pushed)`);
  };
  if (metadata.project !== expected.project) fail(`was built for ${metadata.project}, not ${expected.project}`);
  const imageTail = metadata.image.split('/').at(-1);
  if (imageTail !== expected.project) fail(`names image ${metadata.image}, which is not project ${expected.project}'s`);
  if (metadata.index.digest !== source.index.digest)
    fail(`names index ${metadata.index.digest} but the OCI layout holds ${source.index.digest}`);
  if (metadata.index.size !== source.index.bytes.length)
    fail(`says the index is ${metadata.index.size} bytes but the layout's is ${source.index.bytes.length}`);
  const inLayout = new Map(source.manifests.filter((m) => m.platform).map((m) => [m.platform!, m]));
  const inMetadata = metadata.manifests.map((m) => platformKey(m.platform));
  const layoutPlatforms = [...inLayout.keys()].sort().join(', ');
  if ([...inMetadata].sort().join(', ') !== layoutPlatforms)
    fail(`lists platforms ${[...inMetadata].sort().join(', ')} but the layout has ${layoutPlatforms}`);
  for (const m of metadata.manifests) {
    const key = platformKey(m.platform);
    const actual = inLayout.get(key)!;
    if (actual.digest !== m.digest) fail(`names manifest ${m.digest} for ${key} but the layout's is ${actual.digest}`);
    if (actual.configDigest !== undefined && actual.configDigest !== m.configDigest)
      fail(`names config ${m.configDigest} for ${key} but the layout's manifest has ${actual.configDigest}`);
  }
}
