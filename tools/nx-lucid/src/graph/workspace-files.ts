/** How the plugin reads workspace files: from disk in the graph hooks, from the generator's Tree in init. */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, Stats, statSync } from 'node:fs';
import { join } from 'node:path';

export type PathKind = 'file' | 'directory';

export interface WorkspaceFiles {
  exists(path: string): boolean;
  /** UTF-8 text of a workspace-relative file; throws when it is missing. */
  read(path: string): string;
  /** File or directory (symlinks followed); undefined when missing, something else, or the reader cannot tell. */
  kind?(path: string): PathKind | undefined;
  /**
   * The text and the file's stamp (see `fileStamp`) from one open, when the reader can tell: a later `stamp` equal
   * to it means the file was not written since (the graph cache then trusts its recorded hash without a read).
   */
  readStamped?(path: string): { text: string; stamp: string | undefined };
  stamp?(path: string): string | undefined;
}

/**
 * How long after its last change (mtime or ctime) a file's stamp is not trusted: a write within the file system's
 * timestamp granularity (a kernel tick, or a second on some) after our read would leave the stamp as it was, so a
 * file that fresh is read and hashed every time until it is older (git's "racy clean" rule).
 */
export const STAMP_SETTLE_MS = 2000;

/**
 * Size, inode, mtime and ctime (ms as a double: sub-microsecond here); undefined when changed within `settleMs` of
 * `now` (see STAMP_SETTLE_MS).
 */
export function fileStamp(s: Stats, now: number, settleMs = STAMP_SETTLE_MS): string | undefined {
  if (now - Math.max(s.mtimeMs, s.ctimeMs) < settleMs) return undefined;
  return `${s.size}:${s.ino}:${s.mtimeMs}:${s.ctimeMs}`;
}

/** A workspace root on disk, or any reader (e.g. over an Nx Tree). */
export type Workspace = string | WorkspaceFiles;

function kindOnDisk(abs: string): PathKind | undefined {
  const s = statSync(abs, { throwIfNoEntry: false });
  return s?.isDirectory() ? 'directory' : s?.isFile() ? 'file' : undefined;
}

export function workspaceFiles(ws: Workspace): WorkspaceFiles {
  if (typeof ws !== 'string') return ws;
  return {
    exists: (p) => existsSync(join(ws, p)),
    read: (p) => readFileSync(join(ws, p), 'utf8'),
    kind: (p) => kindOnDisk(join(ws, p)),
  };
}

/**
 * A disk reader for one createNodes round, where the same paths are asked about once per project (the shared
 * libs every service COPYs, the context's .dockerignore): stats are kept for the round. Not for longer: the
 * next round (a daemon's, after a file change) must see the disk as it is then. `files`, the files Nx matched
 * for the round (each `<Dockerfile>.dockerignore` among them), are files without a stat.
 */
export function roundFiles(root: string, files: Iterable<string> = [], settleMs = STAMP_SETTLE_MS): WorkspaceFiles {
  const kinds = new Map<string, PathKind | undefined>();
  const exists = new Map<string, boolean>();
  for (const f of files) {
    kinds.set(f, 'file');
    exists.set(f, true);
  }
  return {
    exists: (p) => {
      let e = exists.get(p);
      if (e === undefined) exists.set(p, (e = existsSync(join(root, p))));
      return e;
    },
    read: (p) => readFileSync(join(root, p), 'utf8'),
    kind: (p) => {
      if (!kinds.has(p)) kinds.set(p, kindOnDisk(join(root, p)));
      return kinds.get(p);
    },
    // One open for both (readFileSync stats the open file too): recording a stamp costs no extra system call.
    readStamped: (p) => {
      const fd = openSync(join(root, p), 'r');
      try {
        const stamp = fileStamp(fstatSync(fd), Date.now(), settleMs);
        return { text: readFileSync(fd, 'utf8'), stamp };
      } finally {
        closeSync(fd);
      }
    },
    stamp: (p) => {
      const s = statSync(join(root, p), { throwIfNoEntry: false });
      return s?.isFile() ? fileStamp(s, Date.now(), settleMs) : undefined;
    },
  };
}
