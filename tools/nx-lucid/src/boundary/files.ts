/**
 * The file-write boundary for what executors hand to later steps: written atomically (a temp file in the
 * same folder, then rename), so a reader sees the old file or the new one, never half of one.
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeFileAtomic(file: string, contents: string | Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    writeFileSync(temp, contents);
    renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Appends text to a file other steps also append to (GitHub's job summary): one write, O_APPEND. */
export function appendToFile(file: string, text: string): void {
  appendFileSync(file, text);
}
