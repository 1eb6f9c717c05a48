/**
 * doublestar v4 patterns (github.com/bmatcuk/doublestar), which Trivy's ignore file uses for `paths`:
 * `*` and `?` stay within one path component, `**` as a whole component spans any number of them (zero
 * included: `**\/go.mod` matches `go.mod`, `dir/**` matches `dir`), `[abc]`, `[!a-z]`/`[^a-z]`, `{a,b}`, `\` escapes.
 */
const esc = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Converts a pattern to an anchored RegExp; throws on what doublestar.ValidatePattern rejects. */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const atStart = i === 0 || pattern[i - 1] === '/';
    if (c === '*' && pattern[i + 1] === '*' && atStart && (i + 2 === pattern.length || pattern[i + 2] === '/')) {
      if (i + 2 === pattern.length) {
        // `dir/**` also matches `dir` itself; a lone `**` matches everything.
        out = i === 0 ? '.*' : `${out.replace(/\\\/$/, '')}(?:/.*)?`;
      } else out += '(?:[^/]*/)*';
      i += i + 2 === pattern.length ? 1 : 2;
    } else if (c === '*') {
      while (pattern[i + 1] === '*') i++;
      out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '\\') {
      if (i + 1 >= pattern.length) throw new Error(`invalid pattern "${pattern}": trailing backslash`);
      out += esc(pattern[++i]);
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new Error(`invalid pattern "${pattern}": unclosed [`);
      let body = pattern.slice(i + 1, end);
      const negate = body[0] === '!' || body[0] === '^';
      if (negate) body = body.slice(1);
      out += `[${negate ? '^/' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else if (c === '{') {
      depth++;
      out += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      out += ')';
    } else if (c === ',' && depth > 0) out += '|';
    else out += esc(c);
  }
  if (depth) throw new Error(`invalid pattern "${pattern}": unclosed {`);
  return new RegExp(`^${out}$`);
}

export function globMatch(pattern: string, path: string): boolean {
  return globToRegExp(pattern).test(path);
}
