/**
 * What a push keeps on disk between runs, under <workspace>/.lucid/registry/<registry>/:
 * - sessions/<hex>.json: an open chunked upload (its session URL and how far it got), so a run after a
 *   crash or a dropped connection resumes it instead of starting over;
 * - locks/<hex>.json: "this process is uploading this blob", so concurrent pushes (separate Nx task
 *   processes) upload a shared blob once while the others wait and then mount it.
 * Both files are small, written atomically (temp + rename) and read through a zod schema.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createExclusive, ensureDir, removePath, writeFileAtomic } from '../boundary/files';
import { processAlive } from '../boundary/process';

export const uploadSessionSchema = z
  .object({
    schemaVersion: z.literal(1),
    repository: z.string().min(1),
    digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    /** Absolute upload URL (with the registry's _state) from the last accepted PATCH. */
    location: z.string().url(),
    /** Bytes the registry had accepted at that point. */
    offset: z.number().int().nonnegative(),
  })
  .strict();
export type UploadSession = z.infer<typeof uploadSessionSchema>;

export const blobLockSchema = z
  .object({
    schemaVersion: z.literal(1),
    pid: z.number().int().positive(),
    repository: z.string().min(1),
    startedAtMs: z.number(),
  })
  .strict();
export type BlobLock = z.infer<typeof blobLockSchema>;

const safe = (registry: string) => registry.replace(/[^A-Za-z0-9._-]/g, '_');
const hex = (digest: string) => digest.replace(/^sha256:/, '');

function writeAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value)}\n`);
}

function readWith<T>(file: string, schema: z.ZodType<T>): T | undefined {
  try {
    return schema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined; // absent, half-written by a crash, or from another version: as if there were none
  }
}

export class UploadState {
  private readonly sessions: string;
  private readonly locks: string;

  constructor(stateDir: string, registry: string) {
    const base = join(stateDir, 'registry', safe(registry));
    this.sessions = join(base, 'sessions');
    this.locks = join(base, 'locks');
  }

  session(digest: string): UploadSession | undefined {
    return readWith(join(this.sessions, `${hex(digest)}.json`), uploadSessionSchema);
  }

  saveSession(session: Omit<UploadSession, 'schemaVersion'>): void {
    ensureDir(this.sessions);
    writeAtomic(join(this.sessions, `${hex(session.digest)}.json`), { schemaVersion: 1, ...session });
  }

  dropSession(digest: string): void {
    removePath(join(this.sessions, `${hex(digest)}.json`));
  }

  /** Takes the blob's lock (true), or finds it held by a live process (false). A dead holder's lock is taken over. */
  tryLock(digest: string, repository: string): boolean {
    ensureDir(this.locks);
    const file = join(this.locks, `${hex(digest)}.json`);
    for (let i = 0; i < 2; i++) {
      const lock = { schemaVersion: 1, pid: process.pid, repository, startedAtMs: Date.now() };
      if (createExclusive(file, `${JSON.stringify(lock)}\n`)) return true;
      const holder = readWith(file, blobLockSchema);
      // Unreadable (being written right now) counts as held; a holder that died left it stale.
      if (!holder || processAlive(holder.pid)) return false;
      removePath(file);
    }
    return false;
  }

  holder(digest: string): BlobLock | undefined {
    return readWith(join(this.locks, `${hex(digest)}.json`), blobLockSchema);
  }

  unlock(digest: string): void {
    const file = join(this.locks, `${hex(digest)}.json`);
    if (this.holder(digest)?.pid === process.pid) removePath(file);
  }
}
