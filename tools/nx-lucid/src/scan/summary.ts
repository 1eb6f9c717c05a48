import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { formatCvss } from './cvss';
import { formatVersions, GateResult } from './gate';
import { SEVERITIES, severityEnum } from './report';

/** scan/gate.json: the machine-readable verdict beside the report, read by the main job and by people. */
export const scanOutcomeSchema = z.object({
  schemaVersion: z.literal(1),
  project: z.string(),
  /** What Trivy looked at: the OCI layout (with its index digest) or a registry reference. */
  target: z.object({ kind: z.enum(['oci-layout', 'image-ref']), ref: z.string(), digest: z.string().nullable() }),
  platforms: z.array(z.string()),
  trivyVersion: z.string().nullable(),
  policy: z.object({ enabled: z.boolean(), cvssThreshold: z.number(), severity: severityEnum, ignoreUnfixed: z.boolean() }),
  passed: z.boolean(),
  findings: z.number().int(),
  counts: z.record(z.string(), z.number()),
  failing: z.array(
    z.object({
      id: z.string(),
      pkgName: z.string(),
      installedVersion: z.string(),
      fixedVersion: z.string().nullable(),
      severity: severityEnum,
      cvss: z.object({ score: z.number(), source: z.string(), version: z.string() }).nullable(),
      reasons: z.array(z.enum(['cvss', 'severity'])),
    }),
  ),
  ignored: z.array(z.object({ id: z.string(), pkgName: z.string(), by: z.enum(['ignore-file', 'unfixed']), line: z.number().nullable() })),
  expiredIgnores: z.array(z.object({ id: z.string(), line: z.number(), expires: z.string() })),
  secrets: z.number().int(),
  sarif: z.enum(['trivy convert', 'built-in']),
});
export type ScanOutcome = z.infer<typeof scanOutcomeSchema>;
export const OUTCOME_FILE = 'gate.json';

export function toOutcome(
  g: GateResult,
  info: Pick<ScanOutcome, 'project' | 'target' | 'platforms' | 'trivyVersion' | 'sarif'>,
): ScanOutcome {
  return {
    schemaVersion: 1,
    ...info,
    policy: g.policy,
    passed: g.passed,
    findings: g.findings.length,
    counts: g.counts,
    failing: g.failing.map((f) => ({
      id: f.id,
      pkgName: f.pkgName,
      installedVersion: f.installedVersion,
      fixedVersion: f.fixedVersion ?? null,
      severity: f.severity,
      cvss: f.cvss ? { score: f.cvss.score, source: f.cvss.source, version: f.cvss.version } : null,
      reasons: f.reasons,
    })),
    ignored: g.ignored.map((i) => ({ id: i.finding.id, pkgName: i.finding.pkgName, by: i.by, line: i.entry?.line ?? null })),
    expiredIgnores: g.expiredIgnores.map((e) => ({ id: e.id, line: e.line, expires: e.expiresText ?? '' })),
    secrets: g.secrets.length,
  };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The Markdown summary written to scan/summary.md and appended to $GITHUB_STEP_SUMMARY. */
export function markdownSummary(g: GateResult, o: ScanOutcome): string {
  const p = g.policy;
  const verdict = !p.enabled ? '⚪ not gated' : g.passed ? '✅ passed' : '❌ FAILED';
  const out: string[] = [];
  out.push(`### Trivy scan: ${o.project} — ${verdict}`, '');
  out.push(
    `Policy: fail on CVSS ≥ ${p.cvssThreshold.toFixed(1)} (highest v3/v4 base score over all sources) or severity ≥ ${p.severity}` +
      `${p.ignoreUnfixed ? '; findings without a fix ignored' : ''}${p.enabled ? '' : ' — gate disabled'}.`,
  );
  out.push(
    `Target: \`${o.target.ref}\`${o.target.digest ? ` (\`${o.target.digest}\`)` : ''}; platforms: ${o.platforms.join(', ') || 'default'}; Trivy ${o.trivyVersion ?? 'unknown'}.`,
    '',
  );
  out.push(`| ${SEVERITIES.slice().reverse().join(' | ')} | ignored | secrets |`);
  out.push(`| ${SEVERITIES.map(() => '---').join(' | ')} | --- | --- |`);
  out.push(`| ${SEVERITIES.slice().reverse().map((s) => g.counts[s]).join(' | ')} | ${g.ignored.length} | ${g.secrets.length} |`, '');
  if (g.failing.length) {
    out.push(`#### ${p.enabled ? 'Failing' : 'Would fail'} (${g.failing.length})`, '');
    out.push('| ID | Package | Installed → Fixed | Score (source) | Severity | Fails on |');
    out.push('| --- | --- | --- | --- | --- | --- |');
    for (const f of g.failing) {
      const id = f.url ? `[${f.id}](${f.url})` : f.id;
      out.push(
        `| ${cell(id)} | ${cell(f.pkgPath ? `${f.pkgName} (${f.pkgPath})` : f.pkgName)} | ${cell(formatVersions(f))} | ${cell(formatCvss(f.cvss))} | ${f.severity} | ${f.reasons.join(', ')} |`,
      );
    }
    out.push('');
  }
  if (g.expiredIgnores.length) {
    out.push('#### Expired ignore entries (no longer ignore anything)', '');
    for (const e of g.expiredIgnores) out.push(`- ${e.id} (line ${e.line}) expired ${e.expiresText}`);
    out.push('');
  }
  if (g.ignored.length) {
    out.push(`<details><summary>Ignored (${g.ignored.length})</summary>`, '');
    for (const i of g.ignored) {
      const why = i.by === 'unfixed' ? 'no fix (ignoreUnfixed)' : `ignore file line ${i.entry!.line}${i.entry!.expiresText ? ` until ${i.entry!.expiresText}` : ''}`;
      out.push(`- ${i.finding.id} in ${i.finding.pkgName} ${formatVersions(i.finding)} — ${why}`);
    }
    out.push('', '</details>', '');
  }
  if (g.secrets.length) {
    out.push(`> ⚠️ ${g.secrets.length} secret(s) found in the image (reported, not gated): ${g.secrets.map((s) => `${s.ruleId} in \`${s.target}\``).join(', ')}`, '');
  }
  return out.join('\n');
}

export type ScanLineInput =
  | { kind: 'outcome'; outcome: ScanOutcome }
  | { kind: 'skipped'; reason: string }
  | { kind: 'error'; message: string };

/**
 * One line per service for the main job's table: "pass (0 ≥7.0)", "FAIL 2 findings (…)",
 * "not gated (1 would fail)", "skipped: trivy not installed", "error: …".
 */
export function formatScanLine(input: ScanLineInput): string {
  if (input.kind === 'skipped') return `skipped: ${input.reason}`;
  if (input.kind === 'error') return `error: ${input.message.split('\n')[0]}`;
  const o = input.outcome;
  const t = o.policy.cvssThreshold.toFixed(1);
  const extra = [o.ignored.length ? `${o.ignored.length} ignored` : '', o.expiredIgnores.length ? `${o.expiredIgnores.length} ignore(s) expired` : '']
    .filter(Boolean)
    .join(', ');
  if (!o.policy.enabled) return `not gated (${o.failing.length} would fail, ${o.findings} findings)`;
  if (o.passed) return `pass (0 ≥${t}, ${o.findings} findings${extra ? `, ${extra}` : ''})`;
  const ids = o.failing.slice(0, 3).map((f) => `${f.id} ${f.cvss ? f.cvss.score.toFixed(1) : f.severity}`);
  return `FAIL ${o.failing.length} finding${o.failing.length === 1 ? '' : 's'} (${ids.join(', ')}${o.failing.length > 3 ? ', …' : ''})${extra ? `; ${extra}` : ''}`;
}

/** Reads <outputPath>/scan/gate.json; undefined when the scan has not run. Throws on a malformed file. */
export function readScanOutcome(workspaceRoot: string, outputPath: string): ScanOutcome | undefined {
  const file = join(workspaceRoot, outputPath, 'scan', OUTCOME_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = scanOutcomeSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a scan outcome: ${parsed.error.message}`);
  return parsed.data;
}
