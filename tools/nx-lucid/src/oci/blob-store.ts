/**
 * The machine's content-addressed blob store, shared by every service's build output: base layers live here once
 * (`<root>/sha256/<hex>`) instead of in each Nx cache entry. Every blob is checked against its digest before it
 * is written, and written atomically (temporary file, then rename), so a reader never sees a partial blob.
 */
import { createHash } from 'node:crypto';
import { existsSync, openSync, readFileSync, readSync, closeSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ensureDir, linkOrCopy, moveInto, removePath, tempPathBeside, writeFileAtomic } from '../boundary/files';
import { assertDigest, sha256Digest } from './digest';

export const BLOB_STORE_ENV = 'LUCID_BLOB_STORE';
/** Workspace-relative default; `.lucid/` is git-ignored and never a cache output. */
export const DEFAULT_BLOB_STORE = '.lucid/blobs';

export function blobStoreDir(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[BLOB_STORE_ENV]?.trim();
  if (!configured) return join(workspaceRoot, DEFAULT_BLOB_STORE);
  return isAbsolute(configured) ? configured : join(workspaceRoot, configured);
}

/** sha256 of a file, streamed in 1 MiB reads (layers can be large). */
export function fileDigest(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return `sha256:${hash.digest('hex')}`;
}

export class BlobStore {
  constructor(readonly dir: string) {}

  path(digest: string): string {
    assertDigest(digest);
    return join(this.dir, 'sha256', digest.slice('sha256:'.length));
  }

  has(digest: string): boolean {
    return existsSync(this.path(digest));
  }

  /** Stores bytes under their digest; refuses bytes that do not hash to it. */
  put(digest: string, data: Buffer): string {
    const actual = sha256Digest(data);
    if (actual !== digest) throw new Error(`refusing to store blob ${digest}: its content hashes to ${actual}`);
    if (this.has(digest)) return this.path(digest);
    writeFileAtomic(this.path(digest), data);
    return this.path(digest);
  }

  /** Stores a file under its digest (hard link when possible, else a copy), after checking its content. */
  putFile(digest: string, file: string): string {
    if (this.has(digest)) return this.path(digest);
    const actual = fileDigest(file);
    if (actual !== digest) throw new Error(`refusing to store ${file} as ${digest}: its content hashes to ${actual}`);
    const tmp = tempPathBeside(this.path(digest));
    ensureDir(join(this.dir, 'sha256'));
    linkOrCopy(file, tmp);
    moveInto(tmp, this.path(digest));
    return this.path(digest);
  }

  /** Reads a blob and checks it: a damaged store must not reach a registry or a verdict. */
  read(digest: string): Buffer {
    const path = this.path(digest);
    if (!existsSync(path)) throw new Error(`blob ${digest} is not in the blob store ${this.dir}`);
    const data = readFileSync(path);
    const actual = sha256Digest(data);
    if (actual !== digest) {
      removePath(path); // fetched again next time instead of failing forever
      throw new Error(
        `blob ${digest} in the blob store ${this.dir} was corrupt (content hashed to ${actual}); it was removed, run again to fetch it`,
      );
    }
    return data;
  }
}
