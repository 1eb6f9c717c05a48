/**
 * Package URLs as the ignore file's `purls` field uses them (Trivy pkg/purl, packageurl-go):
 * `pkg:type/namespace/name@version?qualifiers#subpath`, percent-decoded, type lowercased.
 */
export interface Purl {
  type: string;
  namespace: string;
  name: string;
  version: string;
  qualifiers: Record<string, string>;
  subpath: string;
}

/** packageurl-go v0.1.6 (Trivy's): validType, validQualifierKey. */
const VALID_TYPE = /^[a-zA-Z.+-][a-zA-Z0-9.+-]*$/;
const VALID_QUALIFIER_KEY = /^[a-zA-Z._-][a-zA-Z0-9._-]*$/;

export function parsePurl(text: string): Purl {
  const bad = (why: string) => new Error(`failed to parse purl(${text}): ${why}`);
  // url.PathUnescape: a '%' not followed by two hex digits is an error, never a bare URIError.
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw bad(`invalid URL escape in ${JSON.stringify(s)}`);
    }
  };
  if (!text.startsWith('pkg:')) throw bad('purl scheme is not "pkg"');
  let rest = text.slice(4).replace(/^\/+/, '');
  let subpath = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    subpath = rest
      .slice(hash + 1)
      .split('/')
      .filter((s) => s && s !== '.' && s !== '..')
      .map(decode)
      .join('/');
    rest = rest.slice(0, hash);
  }
  const q = rest.indexOf('?');
  const qualifiers = q >= 0 ? parseQualifiers(rest.slice(q + 1), decode, bad) : {};
  if (q >= 0) rest = rest.slice(0, q);
  const slash = rest.indexOf('/');
  if (slash <= 0) throw bad('purl is missing type or name');
  const type = rest.slice(0, slash).toLowerCase();
  if (!VALID_TYPE.test(type)) throw bad(`invalid type ${JSON.stringify(type)}`);
  rest = rest.slice(slash + 1).replace(/\/+$/, '');
  let version = '';
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    version = decode(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  const parts = rest.split('/').filter(Boolean);
  const name = decode(parts.pop() ?? '');
  if (!name) throw bad('name is required');
  const namespace = parts.map(decode).join('/');
  return { type, namespace, name, version, qualifiers, subpath };
}

/** parseQualifiers + Qualifiers.Normalize: keys lowercased and checked, empty values dropped, no key twice. */
function parseQualifiers(
  query: string,
  decode: (s: string) => string,
  bad: (why: string) => Error,
): Record<string, string> {
  const qualifiers: Record<string, string> = {};
  for (const pair of query.split('&').filter(Boolean)) {
    if (pair.includes(';')) throw bad('invalid qualifiers: invalid semicolon separator in query');
    const eq = pair.indexOf('=');
    const key = (eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
    if (!VALID_QUALIFIER_KEY.test(key)) throw bad(`invalid qualifiers: invalid qualifier key: '${key}'`);
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    if (!value) continue;
    if (key in qualifiers) throw bad(`invalid qualifiers: duplicate qualifier key: ${JSON.stringify(key)}`);
    qualifiers[key] = value;
  }
  return qualifiers;
}

/** Trivy's PackageURL.Match: type, namespace and name equal; version and subpath when given; every qualifier present. */
export function purlMatches(rule: Purl, target: Purl): boolean {
  if (rule.type !== target.type || rule.namespace !== target.namespace || rule.name !== target.name) return false;
  if (rule.version && rule.version !== target.version) return false;
  if (rule.subpath && rule.subpath !== target.subpath) return false;
  return Object.entries(rule.qualifiers).every(([k, v]) => target.qualifiers[k] === v);
}
