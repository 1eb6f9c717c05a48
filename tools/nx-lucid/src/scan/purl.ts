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

const decode = (s: string) => decodeURIComponent(s);

export function parsePurl(text: string): Purl {
  const bad = (why: string) => new Error(`failed to parse purl(${text}): ${why}`);
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
  const qualifiers: Record<string, string> = {};
  const q = rest.indexOf('?');
  if (q >= 0) {
    for (const pair of rest
      .slice(q + 1)
      .split('&')
      .filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw bad(`invalid qualifier "${pair}"`);
      const value = decode(pair.slice(eq + 1));
      if (value) qualifiers[pair.slice(0, eq).toLowerCase()] = value;
    }
    rest = rest.slice(0, q);
  }
  const slash = rest.indexOf('/');
  if (slash <= 0) throw bad('purl is missing type or name');
  const type = rest.slice(0, slash).toLowerCase();
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

/** Trivy's PackageURL.Match: type, namespace and name equal; version and subpath when given; every qualifier present. */
export function purlMatches(rule: Purl, target: Purl): boolean {
  if (rule.type !== target.type || rule.namespace !== target.namespace || rule.name !== target.name) return false;
  if (rule.version && rule.version !== target.version) return false;
  if (rule.subpath && rule.subpath !== target.subpath) return false;
  return Object.entries(rule.qualifiers).every(([k, v]) => target.qualifiers[k] === v);
}
