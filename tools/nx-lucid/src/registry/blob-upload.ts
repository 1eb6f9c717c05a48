/**
 * Uploading one blob a push found missing, so that it survives crashes and concurrency: a chunked upload
 * records its session after every accepted PATCH and a later attempt (this run's retry or the next run)
 * resumes it from the offset the registry reports; a blob another push is uploading right now is waited
 * for and then mounted instead of being sent twice.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { BlobBytes } from './blobs';
import { RegistryClient, RegistryError } from './client';
import { UploadState } from './upload-state';

/** Reads a blob file piece by piece: a large layer is never held whole. */
export function fileBytes(path: string, size: number): BlobBytes {
  return {
    size,
    read(offset, length) {
      const buf = Buffer.alloc(length);
      const fd = openSync(path, 'r');
      try {
        let done = 0;
        while (done < length) {
          const n = readSync(fd, buf, done, length - done, offset + done);
          if (n === 0) throw new Error(`${path} ended at ${offset + done} bytes, expected ${size}`);
          done += n;
        }
      } finally {
        closeSync(fd);
      }
      return buf;
    },
  };
}

export interface BlobUploadContext {
  client: RegistryClient;
  repository: string;
  state?: UploadState;
  /** True once the push has failed elsewhere: stop waiting. */
  stopped: () => boolean;
  sleep?: (ms: number) => Promise<void>;
  /** How long to wait for another push's upload of the same blob before sending it anyway. */
  maxWaitMs?: number;
  log?: (line: string) => void;
}

export type BlobOutcome =
  { kind: 'uploaded'; resumedBytes: number } | { kind: 'mounted'; from: string } | { kind: 'present' };

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Sends the blob, resuming a session the registry still holds; records progress for the next run. */
export async function sendBlob(ctx: BlobUploadContext, digest: string, bytes: BlobBytes): Promise<number> {
  const { client, repository: repo, state } = ctx;
  let resumedBytes = 0;
  await client.uploadBlob(repo, digest, bytes, {
    resume: async () => {
      const saved = state?.session(digest);
      if (!saved || saved.repository !== repo) return undefined;
      const at = await client.blobs.offset(repo, saved.location);
      if (!at || at.offset > bytes.size) {
        // The registry no longer has it (or it is not ours to trust): close it and start over.
        ctx.log?.(
          `  ! the registry dropped the upload session of ${digest} saved at ${saved.offset} bytes (distribution does after a reset stored part of a chunk): sending it from byte 0`,
        );
        await client.blobs.cancel(repo, saved.location);
        state?.dropSession(digest);
        return undefined;
      }
      resumedBytes += at.offset;
      client.stats.bytesResumed += at.offset;
      return at;
    },
    progress: (location, offset) => state?.saveSession({ repository: repo, digest, location, offset }),
    done: () => state?.dropSession(digest),
    abandoned: (offset) => {
      resumedBytes -= offset;
      client.stats.bytesResumed -= offset;
      state?.dropSession(digest);
    },
  });
  return resumedBytes;
}

/**
 * Uploads a blob once per registry across concurrent pushes: whoever takes the lock uploads, the others
 * wait for it to finish and mount from the repository it went to.
 */
export async function uploadShared(ctx: BlobUploadContext, digest: string, bytes: BlobBytes): Promise<BlobOutcome> {
  const { client, repository: repo, state } = ctx;
  if (!state) return { kind: 'uploaded', resumedBytes: await sendBlob(ctx, digest, bytes) };
  const sleep = ctx.sleep ?? pause;
  const deadline = Date.now() + (ctx.maxWaitMs ?? 15 * 60_000);
  for (;;) {
    if (state.tryLock(digest, repo) || Date.now() > deadline) {
      try {
        return { kind: 'uploaded', resumedBytes: await sendBlob(ctx, digest, bytes) };
      } finally {
        state.unlock(digest);
      }
    }
    const holder = state.holder(digest);
    while (state.holder(digest) && !ctx.stopped() && Date.now() <= deadline) await sleep(200);
    if (ctx.stopped()) throw new RegistryError(`upload of ${digest} abandoned: the push already failed`);
    if (await client.hasBlob(repo, digest)) return { kind: 'present' };
    if (holder && holder.repository !== repo) {
      const there = await client.hasBlob(holder.repository, digest).catch(() => false);
      if (there && (await client.mountBlob(repo, digest, holder.repository)))
        return { kind: 'mounted', from: holder.repository };
    }
    // The other push failed before finishing: try to take the lock ourselves.
  }
}
