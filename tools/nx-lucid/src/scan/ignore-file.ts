/**
 * Trivy's .trivyignore format (pkg/result/ignore.go): one ID per line, `#` comments, optional
 * `exp:YYYY-MM-DD`. Like Trivy, the date is midnight UTC and an entry stops ignoring once that moment
 * is past, so `exp:2025-03-01` ignores up to the start of 1 March. Unlike Trivy (which warns and drops
 * the line) a malformed date is an error: a typo must not silently change the policy.
 */
export interface IgnoreEntry {
  id: string;
  /** Midnight UTC of the exp: date; undefined = never expires. */
  expires?: Date;
  /** The exp: date as written, for messages. */
  expiresText?: string;
  line: number;
  /** Trailing `# …` comment text on the same line, kept as the reason in summaries. */
  statement?: string;
}

export interface IgnoreList {
  active: IgnoreEntry[];
  expired: IgnoreEntry[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseIgnoreFile(text: string, source = '.trivyignore'): IgnoreEntry[] {
  const entries: IgnoreEntry[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const lineNo = i + 1;
    const hash = rawLine.indexOf('#');
    const trimmed = rawLine.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const body = (hash >= 0 ? rawLine.slice(0, hash) : rawLine).trim();
    const statement = hash >= 0 ? rawLine.slice(hash + 1).trim() || undefined : undefined;
    const fields = body.split(/\s+/);
    const entry: IgnoreEntry = { id: fields[0], line: lineNo, statement };
    for (const field of fields.slice(1)) {
      if (!field.startsWith('exp:')) continue;
      const value = field.slice(4);
      const m = DATE.exec(value);
      const date = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : undefined;
      if (!m || !date || date.getUTCMonth() !== +m[2] - 1 || date.getUTCDate() !== +m[3]) {
        errors.push(`  - line ${lineNo}: "${field}" is not exp:YYYY-MM-DD`);
        return;
      }
      entry.expires = date;
      entry.expiresText = value;
    }
    entries.push(entry);
  });
  if (errors.length) throw new Error(`${source} has invalid entries:\n${errors.join('\n')}`);
  return entries;
}

/** Splits entries into those still in force at `now` and those whose expiry has passed. */
export function partitionIgnores(entries: IgnoreEntry[], now: Date): IgnoreList {
  const active: IgnoreEntry[] = [];
  const expired: IgnoreEntry[] = [];
  for (const e of entries) (e.expires && e.expires.getTime() < now.getTime() ? expired : active).push(e);
  return { active, expired };
}
