/**
 * The daemonless engines' store: one per workspace (`.lucid/buildah`), shared by every build, so the base is
 * imported once and not again for each build. containers/storage locks its own store (layers, images, containers)
 * across processes, which is how podman and buildah share /var/lib/containers; each build names its own manifest
 * list and removes it and its images afterwards, so parallel builds never see each other's platforms. A
 * transient storage error retries on a private store (engine-run.ts).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { runProcess } from '../boundary/process';
import { BlobStore, blobStoreDir } from '../oci/blob-store';
import type { BuildRequest, PreparedBuild } from './build-request';
import { BaseSeed, baseLayerSeeds } from './base-seed';

/** Where the shared store lives, under the workspace root (.lucid/ is the machine's own state, git-ignored). */
export const ENGINE_STORAGE_DIR = '.lucid/buildah';

export function engineStorageDir(workspaceRoot: string): string {
  return join(workspaceRoot, ENGINE_STORAGE_DIR);
}

/** A manifest list name no other build uses, in this process or another. */
export function uniqueListName(project: string): string {
  return `lucid-build-${project}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** The base's uncompressed layers for a daemonless build (none for buildx, or when the base cannot be read). */
export async function seedsFor(req: BuildRequest, prepared: PreparedBuild): Promise<BaseSeed[]> {
  if (prepared.engine.name === 'buildx' || !prepared.basePull) return [];
  try {
    const store = new BlobStore(blobStoreDir(req.workspaceRoot, req.env));
    return await baseLayerSeeds(prepared.basePull, prepared.plan.platforms, store);
  } catch (e) {
    req.log(
      `note: the base's layers were not seeded (${(e as Error).message.split('\n')[0]}); the engine compresses them`,
    );
    return [];
  }
}

/** Removes this build's manifest list and platform images from the shared store (the base stays). */
export async function removeBuildImages(req: BuildRequest, prepared: PreparedBuild, imageIds: string[]): Promise<void> {
  const run = req.deps?.run ?? runProcess;
  for (const cmd of prepared.engine.cleanupCommands?.(prepared.plan, imageIds) ?? []) {
    const r = await run(cmd.command, cmd.args, { cwd: req.workspaceRoot, allowFailure: true }).catch((e: Error) => e);
    const failed = r instanceof Error ? r.message : r?.exitCode ? r.stderr.trim().split('\n').pop() : undefined;
    if (failed) req.log(`note: ${cmd.label}: ${failed}`);
  }
}
