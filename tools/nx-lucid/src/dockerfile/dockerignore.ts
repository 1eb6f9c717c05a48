import { posix } from 'node:path';

export interface DockerignoreRules {
  /** Exclusion patterns in file order, relative to the build context, without leading "/". */
  excludes: string[];
  /** True when the file re-includes paths with "!". */
  hasExceptions: boolean;
  /**
   * Exclusions no later "!" line can undo (Docker: the last matching line wins), so they can become
   * Nx input negations. Without exceptions this is every exclusion.
   */
  finalExcludes: string[];
}

/**
 * The ignore file BuildKit applies to a build: `<Dockerfile>.dockerignore` beside the Dockerfile, else the
 * context's `.dockerignore` (workspace-relative paths; `exists` answers for one).
 */
export function ignoreFileFor(
  exists: (path: string) => boolean,
  dockerfile: string,
  context = '.',
): string | undefined {
  const beside = `${dockerfile}.dockerignore`;
  if (exists(beside)) return beside;
  const inContext = context === '.' ? '.dockerignore' : `${context}/.dockerignore`;
  if (exists(inContext)) return inContext;
  return undefined;
}

function cleanPattern(pattern: string): string {
  const cleaned = posix.normalize(pattern.replace(/^\/+/, '')).replace(/\/+$/, '');
  return cleaned === '.' ? '' : cleaned;
}

/** Parses a .dockerignore (Docker's syntax: one pattern a line, "#" comments, "!" exceptions, CRLF tolerated). */
export function parseDockerignore(content: string): DockerignoreRules {
  const excludes: string[] = [];
  let hasExceptions = false;
  let finalExcludes: string[] = [];
  for (const rawLine of content.replace(/\r\n?/g, '\n').split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('!')) {
      hasExceptions = true;
      // Anything excluded so far may be re-included by this line: only later exclusions stay final.
      finalExcludes = [];
      continue;
    }
    const cleaned = cleanPattern(line);
    if (cleaned === '') continue;
    excludes.push(cleaned);
    finalExcludes.push(cleaned);
  }
  return { excludes, hasExceptions, finalExcludes };
}

/**
 * Nx input negations for the exclusions. A pattern that names a directory excludes everything below it,
 * as in Docker. Exclusions an "!" line may undo are not negated: a larger input set is safe, a smaller one is not.
 */
export function dockerignoreNegations(rules: DockerignoreRules, contextPrefix = '{workspaceRoot}'): string[] {
  return rules.finalExcludes.flatMap((p) => [`!${contextPrefix}/${p}`, `!${contextPrefix}/${p}/**`]);
}
