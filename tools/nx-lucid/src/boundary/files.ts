/**
 * The file-write boundary: every file the plugin writes, removes, links or moves goes through here (OCI layouts
 * through oci/layout-writer.ts, which uses these too). Files handed to later steps are written atomically (a temp
 * file in the same folder, then rename), so a reader sees the old file or the new one, never half of one.
 */
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A unique name beside `file` for a write that is renamed into place. */
export function tempPathBeside(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
}

export function writeFileAtomic(file: string, contents: string | Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = tempPathBeside(file);
  try {
    writeFileSync(temp, contents);
    renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** `src`'s bytes at `file`, atomically (copied beside it, then renamed): a big file is never held in memory. */
export function copyFileAtomic(src: string, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = tempPathBeside(file);
  try {
    copyFileSync(src, temp);
    renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * A file written piece by piece through `write`, atomically: a big output (a merged report) is never one string.
 * If `fill` throws, nothing is left at `file`.
 */
export function writeFileInPieces(file: string, fill: (write: (piece: string) => void) => void): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = tempPathBeside(file);
  try {
    const fd = openSync(temp, 'w');
    try {
      fill((piece) => {
        const bytes = Buffer.from(piece, 'utf8');
        for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
      });
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Pretty JSON with a final newline, atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** A write where a half-written file is harmless (its reader checks it, or it is only ever written whole once). */
export function writeFilePlain(file: string, contents: string | Buffer): void {
  writeFileSync(file, contents);
}

/**
 * Creates `file` with `contents` only if it does not exist (O_EXCL: the one atomic "take" a lock file needs); false
 * when it already exists.
 */
export function createExclusive(file: string, contents = ''): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, contents);
  } finally {
    closeSync(fd);
  }
  return true;
}

export function appendText(file: string, text: string): void {
  appendFileSync(file, text);
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Removes a file or a folder tree; a missing one is fine. */
export function removePath(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/** An empty folder at `dir` (whatever was there is removed). */
export function freshDir(dir: string): string {
  removePath(dir);
  return ensureDir(dir);
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(prefix);
}

/** Moves a file or folder into place (same file system: atomic). */
export function moveInto(from: string, to: string): void {
  renameSync(from, to);
}

/**
 * `dest` with the content of `src`: a hard link when the file system allows, else `fallback` (a copy, or a
 * symbolic link where a copy would cost too much and the reader follows links).
 */
export function linkOrCopy(src: string, dest: string, fallback: 'copy' | 'symlink' = 'copy'): void {
  try {
    linkSync(src, dest);
  } catch {
    if (fallback === 'copy') copyFileSync(src, dest);
    else symlinkSync(src, dest);
  }
}

export function copyFile(src: string, dest: string): void {
  copyFileSync(src, dest);
}

export function symlinkDir(target: string, path: string): void {
  symlinkSync(target, path, 'dir');
}
