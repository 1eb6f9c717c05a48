import { posix } from 'node:path';
import { Minimatch, MinimatchOptions } from 'minimatch';

/** Go's filepath.Match plus `**`, as patternmatcher reads a line: no braces, extglobs or comments. */
const MATCH_OPTIONS: MinimatchOptions = { dot: true, nobrace: true, noext: true, nocomment: true, nonegate: true };

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

/**
 * Whether the ignore file keeps a context-relative path out of the build context, as moby/patternmatcher's
 * MatchesOrParentMatches: each line is matched against the path and each of its parent folders, the last line
 * that matches decides ("!" re-includes). Patterns are anchored at the context root (`*.log` is only the root's).
 */
export function dockerignoreExcludes(content: string): (path: string) => boolean {
  const patterns: Array<{ exclude: boolean; matcher: Minimatch }> = [];
  for (const rawLine of content.replace(/\r\n?/g, '\n').split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const exclude = !line.startsWith('!');
    const cleaned = cleanPattern(exclude ? line : line.slice(1).trim());
    if (cleaned === '') continue;
    patterns.push({ exclude, matcher: new Minimatch(cleaned, MATCH_OPTIONS) });
  }
  return (path: string) => {
    const parts = path.split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const p of patterns) if (candidates.some((c) => p.matcher.match(c))) excluded = p.exclude;
    return excluded;
  };
}
