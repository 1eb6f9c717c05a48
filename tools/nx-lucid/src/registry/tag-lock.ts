/**
 * One writer per version tag on this machine: the check "does the tag name another digest?" and the write of
 * the tag happen under a lock per registry, repository and tag (a file under <workspace>/.lucid/registry/<registry>/
 * tag-locks/), so two pushes of different images under the same new version cannot both pass the check. A lock
 * whose holder died (or that is older than STALE_MS: a reused pid) is broken, under a second lock so that two
 * waiters never both break it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createExclusive, ensureDir, removePath } from '../boundary/files';
import { processAlive } from '../boundary/process';

export const tagLockSchema = z
  .object({
    schemaVersion: z.literal(1),
    pid: z.number().int().positive(),
    repository: z.string().min(1),
    tag: z.string().min(1),
    startedAtMs: z.number(),
    /** This acquisition's own id: a release never removes a lock someone else took since. */
    id: z.string().min(1),
  })
  .strict();
export type TagLockHolder = z.infer<typeof tagLockSchema>;

/** A tag write takes seconds; a holder this old is not writing any more (its pid may have been reused). */
export const STALE_MS = 10 * 60_000;

export interface TagLockDeps {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  alive?: (pid: number) => boolean;
  /** How long to wait for another push's write of the tag. */
  maxWaitMs?: number;
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const safe = (registry: string) => registry.replace(/[^A-Za-z0-9._-]/g, '_');

function readHolder(file: string): TagLockHolder | undefined {
  try {
    return tagLockSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

export class TagLocks {
  private readonly dir: string;
  private readonly now: () => number;
  private readonly alive: (pid: number) => boolean;

  constructor(
    stateDir: string,
    registry: string,
    private readonly deps: TagLockDeps = {},
  ) {
    this.dir = join(stateDir, 'registry', safe(registry), 'tag-locks');
    this.now = deps.now ?? Date.now;
    this.alive = deps.alive ?? processAlive;
  }

  file(repository: string, tag: string): string {
    return join(this.dir, `${createHash('sha256').update(`${repository}:${tag}`).digest('hex').slice(0, 32)}.json`);
  }

  /** Waits for the tag's lock and takes it; returns the release. */
  async acquire(repository: string, tag: string): Promise<() => void> {
    ensureDir(this.dir);
    const file = this.file(repository, tag);
    const deadline = this.now() + (this.deps.maxWaitMs ?? 5 * 60_000);
    for (;;) {
      const id = this.tryTake(file, repository, tag);
      if (id) return () => this.release(file, id);
      const holder = readHolder(file);
      if (this.isStale(file, holder)) this.breakStale(file, holder);
      else if (this.now() > deadline)
        throw new Error(
          `version tag ${repository}:${tag} is being written by process ${holder?.pid ?? '?'} (lock ${file}); ` +
            'rerun when that push ends, or delete the lock file if no push is running',
        );
      else await (this.deps.sleep ?? pause)(50);
    }
  }

  /** The new holder's id, or undefined when the lock is held. */
  private tryTake(file: string, repository: string, tag: string): string | undefined {
    const id = randomUUID();
    const holder: TagLockHolder = { schemaVersion: 1, pid: process.pid, repository, tag, startedAtMs: this.now(), id };
    return createExclusive(file, `${JSON.stringify(holder)}\n`) ? id : undefined;
  }

  /** Dead or too old; unreadable counts as stale only once it is old (it may be being written right now). */
  private isStale(file: string, holder: TagLockHolder | undefined): boolean {
    if (holder) return !this.alive(holder.pid) || this.now() - holder.startedAtMs > STALE_MS;
    try {
      return this.now() - statSync(file).mtimeMs > 5_000;
    } catch {
      return false; // gone: the next take may succeed
    }
  }

  /** Removes the stale lock only if it is still the one judged stale, under a breaker file (created exclusively). */
  private breakStale(file: string, seen: TagLockHolder | undefined): void {
    const breaker = `${file}.breaking`;
    if (!createExclusive(breaker)) {
      // Someone else is breaking it; a breaker left by a crash is removed once old.
      try {
        if (this.now() - statSync(breaker).mtimeMs > 30_000) removePath(breaker);
      } catch {
        /* gone meanwhile */
      }
      return;
    }
    try {
      const now = readHolder(file);
      if (JSON.stringify(now) === JSON.stringify(seen)) removePath(file);
    } finally {
      removePath(breaker);
    }
  }

  private release(file: string, id: string): void {
    if (readHolder(file)?.id === id) removePath(file);
  }
}
