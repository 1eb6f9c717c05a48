import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IgnoreReason } from './findings';
import type { GateResult } from './gate';
import type { SarifCut } from './sarif-limits';
import { OUTCOME_FILE, ScanOutcome, scanOutcomeSchema } from '../artifacts/scan-outcome';

export { OUTCOME_FILE, scanOutcomeSchema } from '../artifacts/scan-outcome';
export type { ScanOutcome } from '../artifacts/scan-outcome';

const ruleJson = (r: IgnoreReason) =>
  r.by === 'ignore-file'
    ? {
        file: r.file ?? null,
        line: r.rule.line,
        id: r.rule.id,
        expires: r.rule.expiresText ?? null,
        statement: r.rule.statement ?? null,
      }
    : null;

export function toOutcome(
  g: GateResult,
  info: Pick<ScanOutcome, 'project' | 'target' | 'platforms' | 'trivyVersion' | 'sarif'> & { sarifCut?: SarifCut },
): ScanOutcome {
  const { sarifCut, ...rest } = info;
  return {
    schemaVersion: 1,
    ...rest,
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
      platforms: f.platforms,
    })),
    ignored: g.ignored.map((i) => {
      const r = i.reasons[0];
      return {
        kind: i.kind,
        id: i.id,
        pkgName: i.where,
        severity: i.severity,
        platforms: i.platforms,
        by: r.by === 'status' ? (r.option === 'ignoreUnfixed' ? 'unfixed' : 'status') : 'ignore-file',
        line: r.by === 'ignore-file' ? r.rule.line : null,
        status: r.by === 'status' ? r.status : null,
        rule: ruleJson(r),
      };
    }),
    expiredIgnores: g.expiredIgnores.map((e) => ({ id: e.id, line: e.line, expires: e.expiresText ?? '' })),
    warnings: g.warnings,
    secrets: g.secrets.length,
    misconfigurations: g.misconfigurations.length,
    sarifCut: sarifCut && sarifCut.leftOut > 0 ? sarifCut : null,
  };
}

export type ScanLineInput =
  { kind: 'outcome'; outcome: ScanOutcome } | { kind: 'skipped'; reason: string } | { kind: 'error'; message: string };

/**
 * One line per service for the main job's table: "pass (0 ≥7.0)", "FAIL 2 findings (…)",
 * "not gated (1 would fail)", "skipped: trivy not installed", "error: …".
 */
export function formatScanLine(input: ScanLineInput): string {
  if (input.kind === 'skipped') return `skipped: ${input.reason}`;
  if (input.kind === 'error') return `error: ${input.message.split('\n')[0]}`;
  const o = input.outcome;
  const t = o.policy.cvssThreshold.toFixed(1);
  const extra = [
    o.ignored.length ? `${o.ignored.length} ignored` : '',
    o.expiredIgnores.length ? `${o.expiredIgnores.length} ignore(s) expired` : '',
  ]
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
