import { isMap, isScalar, isSeq, LineCounter, Node, parseDocument, Scalar } from 'yaml';
import { globToRegExp } from './glob';
import { IGNORE_KINDS, IgnoreConfig, IgnoreKind, IgnoreRule, isExpired } from './ignore-file';
import { parsePurl } from './purl';

/**
 * `.trivyignore.yaml`, decoded as Trivy decodes it (yaml.v3 Unmarshal into IgnoreConfig, pkg/result/ignore.go):
 * top-level `vulnerabilities`, `misconfigurations`, `secrets`, `licenses`, each a list of
 * {id, paths, purls, expired_at, statement}; other keys are ignored. `expired_at` is a YAML timestamp
 * (unquoted `2024-01-01`, or a date-time); a quoted date, a bad path pattern or purl fails the whole file, as in Trivy.
 */
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);

/** yaml.v3's timestamp forms: 2006-1-2, 2006-1-2T15:4:5.999999999Z07:00 (t too), 2006-1-2 15:4:5.999999999 (UTC). */
export function parseYamlTimestamp(s: string): Date | undefined {
  const m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])| )(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?)?$/.exec(
      s,
    );
  if (!m) return undefined;
  const [, y, mo, d, t, h, mi, sec, frac, zone] = m;
  if (t && !zone) return undefined; // the T forms need a zone, the space form has none
  if (!t && h !== undefined && zone) return undefined;
  const ms = Date.UTC(+y, +mo - 1, +d, +(h ?? 0), +(mi ?? 0), +(sec ?? 0), frac ? Math.floor(+`0${frac}` * 1000) : 0);
  const date = new Date(ms);
  if (
    date.getUTCMonth() !== +mo - 1 ||
    date.getUTCDate() !== +d ||
    +(h ?? 0) > 23 ||
    +(mi ?? 0) > 59 ||
    +(sec ?? 0) > 59
  )
    return undefined;
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    return new Date(ms - sign * (+zone.slice(1, 3) * 60 + +zone.slice(4, 6)) * 60_000);
  }
  return date;
}

export function parseIgnoreYaml(text: string, now: Date, source = '.trivyignore.yaml'): IgnoreConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter: lc, uniqueKeys: false });
  const fail = (msg: string): never => {
    throw new Error(`${source} parse error: ${msg}`);
  };
  if (doc.errors.length) fail(`yaml decode error: ${doc.errors[0].message}`);
  const rules: IgnoreConfig['rules'] = { vulnerabilities: [], misconfigurations: [], secrets: [], licenses: [] };
  const expired: IgnoreRule[] = [];
  const root = doc.contents;
  if (root && !(isScalar(root) && NULLS.has(String(root.value)))) {
    if (!isMap(root)) fail('yaml decode error: the top level must be a mapping');
    const where = (n: Node | null | undefined) => (n?.range ? `line ${lc.linePos(n.range[0]).line}` : 'somewhere');
    const str = (n: unknown, field: string): string => {
      if (n === null || n === undefined) return '';
      if (!isScalar(n)) fail(`${where(n as Node)}: ${field} must be a string`);
      return String((n as Scalar).value);
    };
    const list = (n: unknown, field: string): string[] => {
      if (
        n === null ||
        n === undefined ||
        (isScalar(n) && (n as Scalar).type === 'PLAIN' && NULLS.has(String((n as Scalar).value)))
      )
        return [];
      if (!isSeq(n)) fail(`${where(n as Node)}: ${field} must be a list`);
      return (n as { items: unknown[] }).items.map((i) => str(i, field));
    };
    for (const pair of (root as { items: Array<{ key: unknown; value: unknown }> }).items) {
      const kind = str(pair.key, 'key') as IgnoreKind;
      if (!IGNORE_KINDS.includes(kind)) continue;
      const entries = pair.value;
      if (entries === null || entries === undefined || (isScalar(entries) && NULLS.has(String(entries.value))))
        continue;
      if (!isSeq(entries)) fail(`${where(entries as Node)}: ${kind} must be a list`);
      for (const item of (entries as { items: unknown[] }).items) {
        if (!isMap(item)) fail(`${where(item as Node)}: each ${kind} entry must be a mapping`);
        const get = (k: string) =>
          (item as { items: Array<{ key: unknown; value: unknown }> }).items.find((p) => str(p.key, 'key') === k)
            ?.value;
        const rule: IgnoreRule = {
          id: str(get('id'), 'id'),
          paths: list(get('paths'), 'paths'),
          purls: [],
          line: lc.linePos((item as Node).range![0]).line,
        };
        for (const p of rule.paths) {
          try {
            globToRegExp(p);
          } catch {
            fail(`invalid path pattern in the ignore file, id: ${rule.id}, path: ${p}`);
          }
        }
        for (const p of list(get('purls'), 'purls')) {
          try {
            rule.purls.push(parsePurl(p));
          } catch (e) {
            fail(`purl error in the ignore file: ${(e as Error).message}`);
          }
        }
        const exp = get('expired_at') as Scalar | undefined;
        if (
          exp !== undefined &&
          exp !== null &&
          !(isScalar(exp) && exp.type === 'PLAIN' && NULLS.has(String(exp.value)))
        ) {
          const text = str(exp, 'expired_at');
          const at = isScalar(exp) && exp.type === 'PLAIN' ? parseYamlTimestamp(text) : undefined;
          if (!at)
            fail(
              `${where(exp)}: cannot unmarshal ${JSON.stringify(text)} into time.Time (write an unquoted date, e.g. expired_at: 2025-12-31)`,
            );
          rule.expires = at;
          rule.expiresText = text;
        }
        const statement = str(get('statement'), 'statement');
        if (statement) rule.statement = statement;
        (isExpired(rule, now) ? expired : rules[kind]).push(rule);
      }
    }
  }
  return { file: source, rules, expired, warnings: [] };
}
