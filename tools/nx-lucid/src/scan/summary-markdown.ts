import { formatCvss } from './cvss';
import { formatIgnoreReason, formatVersions, GateResult, policyText } from './gate';
import { SEVERITIES } from './report';
import type { ScanOutcome } from './summary';

/**
 * GitHub takes at most 1 MiB (1,048,576 bytes) of step summary per step; the summary stays well below, leaving
 * room for the newline the executor appends and for the lines around it.
 */
export const SUMMARY_MAX_BYTES = 1_000_000;

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const bytes = (s: string) => Buffer.byteLength(s, 'utf8') + 1;

/** At most this many warnings, expired entries and other findings are listed in the head; the rest are counted. */
const HEAD_LIST_MAX = 20;
/** A head line longer than this (a huge ignore ID, a long path) is cut: the head must leave room for the tables. */
const HEAD_LINE_MAX = 2_000;
const clip = (s: string) => (s.length > HEAD_LINE_MAX ? `${s.slice(0, HEAD_LINE_MAX)}…` : s);

function headLines(g: GateResult, o: ScanOutcome): string[] {
  const p = g.policy;
  const verdict = !p.enabled ? '⚪ not gated' : g.passed ? '✅ passed' : '❌ FAILED';
  const bySeverity = SEVERITIES.slice().reverse();
  return [
    `### Trivy scan: ${o.project} — ${verdict}`,
    '',
    `Policy: fail on ${policyText(p)} (CVSS: highest v3/v4 base score over all sources)${p.enabled ? '' : ' — gate disabled'}.`,
    clip(
      `Target: \`${o.target.ref}\`${o.target.digest ? ` (\`${o.target.digest}\`)` : ''}; platforms: ${o.platforms.join(', ') || 'default'}; Trivy ${o.trivyVersion ?? 'unknown'}.`,
    ),
    '',
    `| ${bySeverity.join(' | ')} | ignored | secrets | misconfigurations |`,
    `| ${SEVERITIES.map(() => '---').join(' | ')} | --- | --- | --- |`,
    `| ${bySeverity.map((s) => g.counts[s]).join(' | ')} | ${g.ignored.length} | ${g.secrets.length} | ${g.misconfigurations.length} |`,
    '',
  ];
}

/** Warnings, the SARIF cut, expired entries, secrets and misconfigurations: each list capped, the rest counted. */
function noticeLines(g: GateResult, o: ScanOutcome): string[] {
  const out: string[] = [];
  for (const w of g.warnings.slice(0, HEAD_LIST_MAX)) out.push(clip(`> ⚠️ ${w}`), '');
  if (g.warnings.length > HEAD_LIST_MAX)
    out.push(`> ⚠️ … and ${g.warnings.length - HEAD_LIST_MAX} more warning(s) (the scan log has them all)`, '');
  if (o.sarifCut)
    out.push(
      `> ⚠️ report.sarif: ${o.sarifCut.leftOut} of ${o.sarifCut.total} results left out to fit GitHub code scanning limits (every finding that fails the gate kept, then the highest security-severity).`,
      '',
    );
  if (g.expiredIgnores.length) {
    out.push('#### Expired ignore entries (no longer ignore anything)', '');
    for (const e of g.expiredIgnores.slice(0, HEAD_LIST_MAX))
      out.push(clip(`- ${e.id} (line ${e.line}) expired ${e.expiresText}`));
    if (g.expiredIgnores.length > HEAD_LIST_MAX)
      out.push(`- … and ${g.expiredIgnores.length - HEAD_LIST_MAX} more (see gate.json)`);
    out.push('');
  }
  const others = [...g.secrets, ...g.misconfigurations];
  if (others.length) {
    const shown = others
      .slice(0, HEAD_LIST_MAX)
      .map((s) => `${s.id} in \`${s.target}\``)
      .join(', ');
    out.push(
      clip(
        `> ⚠️ ${g.secrets.length} secret(s) and ${g.misconfigurations.length} failed misconfiguration check(s) (reported, not gated): ${shown}${others.length > HEAD_LIST_MAX ? ', …' : ''}`,
      ),
      '',
    );
  }
  return out;
}

/** Lines added while they fit in the byte budget. */
class Budget {
  readonly out: string[] = [];
  private used: number;
  constructor(
    head: string[],
    private readonly maxBytes: number,
  ) {
    this.out.push(...head);
    // Room kept for the closing note and the section headers/footers.
    this.used = head.reduce((n, l) => n + bytes(l), 0) + 600;
  }
  add(line: string): boolean {
    const b = bytes(line);
    if (this.used + b > this.maxBytes) return false;
    this.out.push(line);
    this.used += b;
    return true;
  }
  get room(): number {
    return this.maxBytes - this.used;
  }
}

function failingSection(g: GateResult, b: Budget): number {
  if (!g.failing.length) return 0;
  b.out.push(
    `#### ${g.policy.enabled ? 'Failing' : 'Would fail'} (${g.failing.length}), worst first`,
    '',
    '| ID | Package | Installed → Fixed | Score (source) | Severity | Platforms | Fails on |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  let shown = 0;
  for (const f of g.failing) {
    const id = f.url ? `[${f.id}](${f.url})` : f.id;
    const row = `| ${cell(id)} | ${cell(f.pkgPath ? `${f.pkgName} (${f.pkgPath})` : f.pkgName)} | ${cell(formatVersions(f))} | ${cell(formatCvss(f.cvss))} | ${f.severity} | ${f.platforms.join(', ') || '-'} | ${f.reasons.join(', ')} |`;
    if (!b.add(row)) break;
    shown++;
  }
  b.out.push('');
  return shown;
}

function ignoredSection(g: GateResult, b: Budget): number {
  if (!g.ignored.length || b.room < 200) return 0;
  b.out.push(`<details><summary>Ignored (${g.ignored.length})</summary>`, '');
  let shown = 0;
  for (const i of g.ignored) {
    const what =
      i.kind === 'vulnerability'
        ? `${i.id} in ${i.where}${i.finding ? ` ${formatVersions(i.finding)}` : ''}`
        : `${i.kind} ${i.id} in \`${i.where}\``;
    const platforms = i.platforms.length ? ` [${i.platforms.join(', ')}]` : '';
    if (!b.add(`- ${what}${platforms} — ${i.reasons.map(formatIgnoreReason).join('; ')}`)) break;
    shown++;
  }
  b.out.push('', '</details>', '');
  return shown;
}

/**
 * The Markdown summary written to scan/summary.md and appended to $GITHUB_STEP_SUMMARY: verdict, policy, counts,
 * warnings, then the failing findings worst first, then every ignored finding with its rule and expiry. Rows
 * are added while they fit in `maxBytes`; whatever is left out is counted in a closing note (gate.json has all).
 * The head's lists are capped too, so no ignore file or report can push the summary over GitHub's limit.
 */
export function markdownSummary(g: GateResult, o: ScanOutcome, maxBytes = SUMMARY_MAX_BYTES): string {
  const b = new Budget([...headLines(g, o), ...noticeLines(g, o)], maxBytes);
  const cutFailing = g.failing.length - failingSection(g, b);
  const cutIgnored = g.ignored.length - ignoredSection(g, b);
  if (cutFailing || cutIgnored) {
    b.out.push(
      `> ✂️ Cut to stay under GitHub's 1 MiB step summary limit: ${cutFailing} failing and ${cutIgnored} ignored finding(s) not shown here; ${OUTCOME_NOTE}.`,
      '',
    );
  }
  return b.out.join('\n');
}

const OUTCOME_NOTE = 'scan/gate.json and scan/report.json list them all';
