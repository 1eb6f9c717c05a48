import { globToRegExp } from './glob';
import { IgnoreConfig, IgnoreRule, parseIgnoreFile, plainIgnoreConfig } from './ignore-file';
import { parseIgnoreYaml } from './ignore-yaml';
import { parsePurl, Purl, purlMatches } from './purl';

/** Trivy's ParseIgnoreFile: `.yml`/`.yaml` is the YAML format, anything else the plain one. */
export function readIgnoreConfig(text: string, file: string, now: Date): IgnoreConfig {
  return /\.ya?ml$/.test(file)
    ? parseIgnoreYaml(text, now, file)
    : plainIgnoreConfig(parseIgnoreFile(text, file), now, file);
}

const patternCache = new Map<string, RegExp>();
function matchPath(path: string, patterns: string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((p) => {
    let re = patternCache.get(p);
    if (!re) patternCache.set(p, (re = globToRegExp(p)));
    return re.test(path);
  });
}

/** IgnoreFindings.Match: the first rule with this ID whose paths match `path` and whose purls match the package. */
function match(rules: IgnoreRule[], id: string, path: string, pkg: () => Purl | undefined): IgnoreRule | undefined {
  for (const r of rules) {
    if (r.id !== id || !matchPath(path, r.paths)) continue;
    if (r.purls.length === 0) return r;
    // As in Trivy, a package without a PURL matches any purls constraint.
    const p = pkg();
    if (p === undefined || r.purls.some((x) => purlMatches(x, p))) return r;
  }
  return undefined;
}

/**
 * MatchVulnerability: tried against the result's target, then the package path. The package's PURL is parsed
 * only when a rule with purls asks for it; a malformed one is an error naming it (Trivy cannot decode such a
 * report either), never a bare URIError.
 */
export function matchVulnerability(
  c: IgnoreConfig,
  id: string,
  target: string,
  pkgPath: string | undefined,
  purl: string | undefined,
): IgnoreRule | undefined {
  let parsed: Purl | undefined;
  const pkg = () => {
    if (parsed === undefined && purl) {
      try {
        parsed = parsePurl(purl);
      } catch (e) {
        throw new Error(
          `Trivy report: ${id} in ${target}: PkgIdentifier.PURL ${JSON.stringify(purl)}: ${(e as Error).message}`,
          { cause: e },
        );
      }
    }
    return parsed;
  };
  return match(c.rules.vulnerabilities, id, target, pkg) ?? match(c.rules.vulnerabilities, id, pkgPath ?? '', pkg);
}

/** MatchMisconfiguration: the check's ID, its AVD ID and aliases, against the result's target. */
export function matchMisconfiguration(
  c: IgnoreConfig,
  ids: Array<string | undefined>,
  target: string,
): IgnoreRule | undefined {
  for (const id of ids) {
    // Trivy passes an empty AVDID too, which an entry without an id would match.
    const r = match(c.rules.misconfigurations, id ?? '', target, () => undefined);
    if (r) return r;
  }
  return undefined;
}

export function matchSecret(c: IgnoreConfig, ruleId: string, target: string): IgnoreRule | undefined {
  return match(c.rules.secrets, ruleId, target, () => undefined);
}

export function matchLicense(c: IgnoreConfig, name: string, filePath: string): IgnoreRule | undefined {
  return match(c.rules.licenses, name, filePath, () => undefined);
}
