import { posix } from 'node:path';

export interface DockerignoreRules {
  /** Exclusion patterns, relative to the build context, without leading "/". */
  excludes: string[];
  /** True when the file re-includes paths with "!": exclusions then cannot be applied safely as plain negations. */
  hasExceptions: boolean;
}

/** Parses a .dockerignore (Docker's syntax: one pattern a line, "#" comments, "!" exceptions). */
export function parseDockerignore(content: string): DockerignoreRules {
  const excludes: string[] = [];
  let hasExceptions = false;
  for (const rawLine of content.replace(/\r\n?/g, '\n').split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('!')) {
      hasExceptions = true;
      continue;
    }
    const cleaned = posix.normalize(line.replace(/^\/+/, '')).replace(/\/+$/, '');
    if (cleaned === '.' || cleaned === '') continue;
    excludes.push(cleaned);
  }
  return { excludes, hasExceptions };
}

/**
 * Nx input negations for the exclusions. A pattern that names a directory excludes everything below it,
 * as in Docker. With "!" exceptions present nothing is negated: a larger input set is safe, a smaller one is not.
 */
export function dockerignoreNegations(rules: DockerignoreRules, contextPrefix = '{workspaceRoot}'): string[] {
  if (rules.hasExceptions) return [];
  return rules.excludes.flatMap((p) => [`!${contextPrefix}/${p}`, `!${contextPrefix}/${p}/**`]);
}
