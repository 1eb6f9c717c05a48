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

type YamlMap = { items: Array<{ key: unknown; value: unknown }> };

/** Reads the nodes of one file; every failure names the file and, where there is one, the line. */
class IgnoreYamlReader {
  constructor(
    readonly source: string,
    readonly lc: LineCounter,
  ) {}

  lineOf(n: unknown): number | undefined {
    const range = (n as Node | null | undefined)?.range;
    return range ? this.lc.linePos(range[0]).line : undefined;
  }

  fail(msg: string, at?: unknown): never {
    const line = this.lineOf(at);
    throw new Error(`${this.source}${line ? `:${line}` : ''}: parse error: ${msg}`);
  }

  str(n: unknown, field: string): string {
    if (n === null || n === undefined) return '';
    if (!isScalar(n)) this.fail(`${field} must be a string`, n);
    return String((n as Scalar).value);
  }

  isNull(n: unknown): boolean {
    return (
      n === null ||
      n === undefined ||
      (isScalar(n) && (n as Scalar).type === 'PLAIN' && NULLS.has(String((n as Scalar).value)))
    );
  }

  list(n: unknown, field: string): string[] {
    if (this.isNull(n)) return [];
    if (!isSeq(n)) this.fail(`${field} must be a list`, n);
    return (n as { items: unknown[] }).items.map((i) => this.str(i, field));
  }

  /** yaml.v3 refuses a key written twice in one mapping, at any depth ("mapping key already defined"). */
  checkDuplicateKeys(n: unknown): void {
    if (isSeq(n)) for (const i of (n as { items: unknown[] }).items) this.checkDuplicateKeys(i);
    if (!isMap(n)) return;
    const seen = new Map<string, unknown>();
    for (const pair of (n as YamlMap).items) {
      const key = isScalar(pair.key) ? String((pair.key as Scalar).value) : String(pair.key);
      const first = seen.get(key);
      if (first !== undefined)
        this.fail(`mapping key ${JSON.stringify(key)} already defined at line ${this.lineOf(first)}`, pair.key);
      seen.set(key, pair.key);
      this.checkDuplicateKeys(pair.value);
    }
  }

  expiry(exp: unknown, rule: IgnoreRule): void {
    if (this.isNull(exp)) return;
    const text = this.str(exp, 'expired_at');
    const at = isScalar(exp) && exp.type === 'PLAIN' ? parseYamlTimestamp(text) : undefined;
    if (!at)
      this.fail(
        `cannot unmarshal ${JSON.stringify(text)} into time.Time (write an unquoted date, e.g. expired_at: 2025-12-31)`,
        exp,
      );
    rule.expires = at;
    rule.expiresText = text;
  }

  /** One {id, paths, purls, expired_at, statement} entry; a bad path pattern or purl fails the file, as in Trivy. */
  entry(item: unknown, kind: IgnoreKind): IgnoreRule {
    if (!isMap(item)) this.fail(`each ${kind} entry must be a mapping`, item);
    const get = (k: string) => (item as YamlMap).items.find((p) => this.str(p.key, 'key') === k)?.value;
    const rule: IgnoreRule = {
      id: this.str(get('id'), 'id'),
      paths: this.list(get('paths'), 'paths'),
      purls: [],
      line: this.lineOf(item)!,
    };
    for (const p of rule.paths) {
      try {
        globToRegExp(p);
      } catch {
        this.fail(`invalid path pattern in the ignore file, id: ${rule.id}, path: ${p}`, get('paths'));
      }
    }
    this.list(get('purls'), 'purls'); // the shape check
    const purlNodes = this.isNull(get('purls')) ? [] : (get('purls') as { items: unknown[] }).items;
    for (const node of purlNodes) {
      try {
        rule.purls.push(parsePurl(this.str(node, 'purls')));
      } catch (e) {
        this.fail(`purl error in the ignore file: ${(e as Error).message}`, node);
      }
    }
    this.expiry(get('expired_at'), rule);
    const statement = this.str(get('statement'), 'statement');
    if (statement) rule.statement = statement;
    return rule;
  }
}

export function parseIgnoreYaml(text: string, now: Date, source = '.trivyignore.yaml'): IgnoreConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter: lc, uniqueKeys: false });
  const r = new IgnoreYamlReader(source, lc);
  if (doc.errors.length) {
    const line = doc.errors[0].linePos?.[0].line;
    throw new Error(`${source}${line ? `:${line}` : ''}: parse error: yaml decode error: ${doc.errors[0].message}`);
  }
  const rules: IgnoreConfig['rules'] = { vulnerabilities: [], misconfigurations: [], secrets: [], licenses: [] };
  const expired: IgnoreRule[] = [];
  const root = doc.contents;
  if (r.isNull(root)) return { file: source, rules, expired, warnings: [] };
  if (!isMap(root)) r.fail('yaml decode error: the top level must be a mapping', root);
  r.checkDuplicateKeys(root);
  for (const pair of (root as YamlMap).items) {
    const kind = r.str(pair.key, 'key') as IgnoreKind;
    if (!IGNORE_KINDS.includes(kind) || r.isNull(pair.value)) continue;
    if (!isSeq(pair.value)) r.fail(`${kind} must be a list`, pair.value);
    for (const item of (pair.value as { items: unknown[] }).items) {
      const rule = r.entry(item, kind);
      (isExpired(rule, now) ? expired : rules[kind]).push(rule);
    }
  }
  return { file: source, rules, expired, warnings: [] };
}
