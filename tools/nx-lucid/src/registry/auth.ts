/** Registry authentication: WWW-Authenticate challenges and where credentials come from. Pure. */

export interface Credentials {
  username: string;
  password: string;
  /** Where they came from, for messages (never the value). */
  source: string;
}

export interface Challenge {
  scheme: 'bearer' | 'basic' | string;
  params: Record<string, string>;
}

/**
 * Parses a WWW-Authenticate header, e.g.
 * `Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/r:pull"`.
 * Only the first challenge is used (registries send one).
 */
export function parseChallenge(header: string | null | undefined): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2])) !== null) {
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  }
  return { scheme: m[1].toLowerCase(), params };
}

export { TOKEN_ENV_VARS, tokensInEnv } from '../boundary/env-tokens';

/** Credentials from a password piped on stdin (--password-stdin); the trailing newline is not part of it. */
export function stdinCredentials(stdin: string, username: string): Credentials {
  const password = stdin.replace(/\r?\n$/, '');
  if (!password) throw new Error('--password-stdin was given but stdin was empty');
  return { username, password, source: 'stdin' };
}

/** Merges OAuth scopes ("repository:a/b:pull,push") so one token covers every repository a request touches. */
export function mergeScopes(scopes: Array<string | undefined>): string[] {
  const byResource = new Map<string, Set<string>>();
  const other = new Set<string>();
  for (const raw of scopes) {
    for (const scope of (raw ?? '').split(' ').filter(Boolean)) {
      const m = /^(repository(?:\([^)]*\))?:[^:]+):(.+)$/.exec(scope);
      if (!m) {
        other.add(scope);
        continue;
      }
      const actions = byResource.get(m[1]) ?? new Set<string>();
      for (const a of m[2].split(',')) actions.add(a);
      byResource.set(m[1], actions);
    }
  }
  const out = [...byResource.entries()].map(([res, actions]) => `${res}:${[...actions].sort().join(',')}`);
  return [...out, ...other].sort();
}
