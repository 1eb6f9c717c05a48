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

/**
 * The Markdown summary written to scan/summary.md and appended to $GITHUB_STEP_SUMMARY: verdict, policy, counts,
 * warnings, then the failing findings worst first, then every ignored finding with its rule and expiry. Rows
 * are added while they fit in `maxBytes`; whatever is left out is counted in a closing note (gate.json has all).
 */
export function markdownSummary(g: GateResult, o: ScanOutcome, maxBytes = SUMMARY_MAX_BYTES): string {
  const p = g.policy;
  const verdict = !p.enabled ? '⚪ not gated' : g.passed ? '✅ passed' : '❌ FAILED';
  const head: string[] = [`### Trivy scan: ${o.project} — ${verdict}`, ''];
  head.push(
    `Policy: fail on ${policyText(p)} (CVSS: highest v3/v4 base score over all sources)${p.enabled ? '' : ' — gate disabled'}.`,
  );
  head.push(
    `Target: \`${o.target.ref}\`${o.target.digest ? ` (\`${o.target.digest}\`)` : ''}; platforms: ${o.platforms.join(', ') || 'default'}; Trivy ${o.trivyVersion ?? 'unknown'}.`,
    '',
  );
  head.push(`| ${SEVERITIES.slice().reverse().join(' | ')} | ignored | secrets | misconfigurations |`);
  head.push(`| ${SEVERITIES.map(() => '---').join(' | ')} | --- | --- | --- |`);
  head.push(
    `| ${SEVERITIES.slice()
      .reverse()
      .map((s) => g.counts[s])
      .join(' | ')} | ${g.ignored.length} | ${g.secrets.length} | ${g.misconfigurations.length} |`,
    '',
  );
  for (const w of g.warnings) head.push(`> ⚠️ ${w}`, '');
  if (o.sarifCut)
    head.push(
      `> ⚠️ report.sarif: ${o.sarifCut.leftOut} of ${o.sarifCut.total} results left out to fit GitHub code scanning limits (every finding that fails the gate kept, then the highest security-severity).`,
      '',
    );
  if (g.expiredIgnores.length) {
    head.push('#### Expired ignore entries (no longer ignore anything)', '');
    for (const e of g.expiredIgnores.slice(0, 100)) head.push(`- ${e.id} (line ${e.line}) expired ${e.expiresText}`);
    if (g.expiredIgnores.length > 100) head.push(`- … and ${g.expiredIgnores.length - 100} more (see gate.json)`);
    head.push('');
  }
  const others = [...g.secrets, ...g.misconfigurations];
  if (others.length) {
    const shown = others
      .slice(0, 50)
      .map((s) => `${s.id} in \`${s.target}\``)
      .join(', ');
    head.push(
      `> ⚠️ ${g.secrets.length} secret(s) and ${g.misconfigurations.length} failed misconfiguration check(s) (reported, not gated): ${shown}${others.length > 50 ? ', …' : ''}`,
      '',
    );
  }

  const out = [...head];
  // Room kept for the closing note and the section headers/footers.
  let used = head.reduce((n, l) => n + bytes(l), 0) + 600;
  const add = (line: string): boolean => {
    const b = bytes(line);
    if (used + b > maxBytes) return false;
    out.push(line);
    used += b;
    return true;
  };
  let failingShown = 0;
  if (g.failing.length) {
    out.push(
      `#### ${p.enabled ? 'Failing' : 'Would fail'} (${g.failing.length}), worst first`,
      '',
      '| ID | Package | Installed → Fixed | Score (source) | Severity | Platforms | Fails on |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const f of g.failing) {
      const id = f.url ? `[${f.id}](${f.url})` : f.id;
      const row = `| ${cell(id)} | ${cell(f.pkgPath ? `${f.pkgName} (${f.pkgPath})` : f.pkgName)} | ${cell(formatVersions(f))} | ${cell(formatCvss(f.cvss))} | ${f.severity} | ${f.platforms.join(', ') || '-'} | ${f.reasons.join(', ')} |`;
      if (!add(row)) break;
      failingShown++;
    }
    out.push('');
  }
  let ignoredShown = 0;
  if (g.ignored.length && used < maxBytes - 200) {
    out.push(`<details><summary>Ignored (${g.ignored.length})</summary>`, '');
    for (const i of g.ignored) {
      const what =
        i.kind === 'vulnerability'
          ? `${i.id} in ${i.where}${i.finding ? ` ${formatVersions(i.finding)}` : ''}`
          : `${i.kind} ${i.id} in \`${i.where}\``;
      if (
        !add(
          `- ${what}${i.platforms.length ? ` [${i.platforms.join(', ')}]` : ''} — ${i.reasons.map(formatIgnoreReason).join('; ')}`,
        )
      )
        break;
      ignoredShown++;
    }
    out.push('', '</details>', '');
  }
  const cutFailing = g.failing.length - failingShown;
  const cutIgnored = g.ignored.length - ignoredShown;
  if (cutFailing || cutIgnored) {
    out.push(
      `> ✂️ Cut to stay under GitHub's 1 MiB step summary limit: ${cutFailing} failing and ${cutIgnored} ignored finding(s) not shown here; ${OUTCOME_NOTE}.`,
      '',
    );
  }
  return out.join('\n');
}

const OUTCOME_NOTE = 'scan/gate.json and scan/report.json list them all';
