import type { Purl } from './purl';

/**
 * Trivy's ignore files, read as Trivy reads them (pkg/result/ignore.go):
 * - `.trivyignore`: bufio.Scanner lines (a trailing \r dropped), strings.TrimSpace; a line is a comment only when
 *   it STARTS with `#`; the ID is the first whitespace-separated field, taken whole (`CVE-1#note` is the ID
 *   `CVE-1#note`, which matches nothing); when the line has more than one field, the FIRST field starting with
 *   `exp:` (any field, `# … exp:` comments included) is the expiry, parsed as Go's "2006-01-02"; a UTF-8 BOM is
 *   not stripped (Go's TrimSpace keeps U+FEFF), so a BOM-prefixed first ID matches nothing. Each ID applies to
 *   vulnerabilities, misconfigurations, secrets and licenses alike.
 * - `.trivyignore.yaml` / `.yml`: see ignore-yaml.ts.
 * Where Trivy warns and drops a line with a malformed exp: date (so the finding counts), we stop with an error:
 * a typo must not go unnoticed; both fail closed.
 */
export interface IgnoreRule {
  id: string;
  /** doublestar patterns matched against the result target and the package path; empty = everywhere. */
  paths: string[];
  /** Package URLs (vulnerabilities only); empty = every package. */
  purls: Purl[];
  /** The expiry instant; undefined = never expires. */
  expires?: Date;
  /** The expiry as written, for messages. */
  expiresText?: string;
  statement?: string;
  /** Line in the ignore file (plain format) or the entry's line in the yaml. */
  line: number;
}

export type IgnoreKind = 'vulnerabilities' | 'misconfigurations' | 'secrets' | 'licenses';
export const IGNORE_KINDS: IgnoreKind[] = ['vulnerabilities', 'misconfigurations', 'secrets', 'licenses'];

/** Trivy's IgnoreConfig after Prune: the rules in force, plus the expired ones for reporting. */
export interface IgnoreConfig {
  file?: string;
  rules: Record<IgnoreKind, IgnoreRule[]>;
  expired: IgnoreRule[];
  /** Things Trivy reads silently but a person should know (a BOM-prefixed ID). */
  warnings: string[];
}

export const NO_IGNORES: IgnoreConfig = {
  rules: { vulnerabilities: [], misconfigurations: [], secrets: [], licenses: [] },
  expired: [],
  warnings: [],
};

/** Go's unicode.IsSpace set (White_Space): unlike JS \s it has U+0085 and lacks U+FEFF. */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');
const FIELDS = new RegExp(`[${GO_SPACE}]+`);
const goTrimSpace = (s: string) => s.replace(TRIM, '');
/** bufio.Scanner's default limit: Trivy stops reading (silently) at a longer line. */
const MAX_LINE_BYTES = 64 * 1024;

/** Go time.Parse("2006-01-02", s): four-digit year, two-digit month and day, a real calendar date, nothing else. */
export function parseGoDate(value: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3] ? d : undefined;
}

export function parseIgnoreFile(text: string, source = '.trivyignore'): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  const errors: string[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [i, raw] of lines.entries()) {
    const lineNo = i + 1;
    if (Buffer.byteLength(raw) > MAX_LINE_BYTES) {
      errors.push(`  - line ${lineNo} is longer than 64 KiB: Trivy stops reading the file there`);
      break;
    }
    const line = goTrimSpace(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    if (line.startsWith('#') || line === '') continue;
    const fields = line.split(FIELDS);
    const rule: IgnoreRule = { id: fields[0], paths: [], purls: [], line: lineNo };
    const exp = fields.length > 1 ? fields.find((f) => f.startsWith('exp:')) : undefined;
    if (exp !== undefined) {
      const date = parseGoDate(exp.slice(4));
      if (!date) {
        errors.push(
          `  - line ${lineNo}: "${exp}" is not exp:YYYY-MM-DD (Trivy would drop this line, so it would ignore nothing)`,
        );
        continue;
      }
      rule.expires = date;
      rule.expiresText = exp.slice(4);
    }
    const comment = / #\s*(.*)$/.exec(line);
    if (comment?.[1]) rule.statement = comment[1];
    rules.push(rule);
  }
  if (errors.length) throw new Error(`${source} has invalid entries:\n${errors.join('\n')}`);
  return rules;
}

/** Trivy's Prune: a rule whose expiry is before `now` no longer applies. */
export function isExpired(rule: IgnoreRule, now: Date): boolean {
  return !!rule.expires && rule.expires.getTime() < now.getTime();
}

/** The plain format's rules applied to every kind, as Trivy does, pruned at `now`. */
export function plainIgnoreConfig(rules: IgnoreRule[], now: Date, file?: string): IgnoreConfig {
  const active = rules.filter((r) => !isExpired(r, now));
  const warnings = rules
    .filter((r) => r.id.startsWith('\ufeff'))
    .map(
      (r) =>
        `line ${r.line}: the ID starts with a UTF-8 BOM; Trivy reads it as part of the ID, so "${r.id.slice(1)}" is NOT ignored (save the file without a BOM)`,
    );
  return {
    file,
    rules: { vulnerabilities: active, misconfigurations: active, secrets: active, licenses: active },
    expired: rules.filter((r) => isExpired(r, now)),
    warnings,
  };
}
