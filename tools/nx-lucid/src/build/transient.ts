/**
 * Builder failures that say nothing about the image: buildah's overlay storage losing a mount point under load
 * (`chdir …/overlay/…/merged: no such file or directory`, seen with parallel builds on 2 cores). The build is
 * retried once on fresh private storage; anything else fails at once.
 */
const TRANSIENT_STORAGE = [/chdir [^\s:]*\/overlay\/[^\s:]*\/merged: no such file or directory/];

/** The matching line of a builder error when it is a transient storage failure, else undefined. */
export function transientStorageError(error: unknown): string | undefined {
  const text = [error instanceof Error ? error.message : String(error), (error as { stderr?: unknown })?.stderr]
    .filter((t) => typeof t === 'string')
    .join('\n');
  for (const line of text.split('\n'))
    if (TRANSIENT_STORAGE.some((p) => p.test(line))) return line.trim().slice(0, 300);
  return undefined;
}
