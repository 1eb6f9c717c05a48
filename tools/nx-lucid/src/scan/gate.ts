import { DEFAULT_GATE } from '../config/options';
import { formatCvss } from './cvss';
import {
  collectFindings,
  Finding,
  IgnoredFinding,
  IgnoreReason,
  ignoredStatuses,
  OtherFinding,
  VulnStatus,
} from './findings';
import { IgnoreConfig, IgnoreRule, NO_IGNORES } from './ignore-file';
import { PlatformReport, SEVERITIES, Severity, TrivyReport } from './report';

export type { Finding, IgnoredFinding } from './findings';

export interface GatePolicy {
  enabled: boolean;
  /** Fail on any finding whose highest CVSS v3/v4 base score is at or above this. */
  cvssThreshold: number;
  /** …or whose Trivy severity is at or above this. */
  severity: Severity;
  /** Trivy's --ignore-unfixed: drop every status but `fixed`. */
  ignoreUnfixed: boolean;
  /** Trivy's --ignore-status: drop these statuses (ignoreUnfixed then has no effect, as in Trivy). */
  ignoreStatuses?: VulnStatus[];
}

export const DEFAULT_POLICY: GatePolicy = { ...DEFAULT_GATE };

export type FailReason = 'cvss' | 'severity';
export interface FailingFinding extends Finding {
  reasons: FailReason[];
}

export interface GateResult {
  passed: boolean;
  policy: GatePolicy;
  /** Every distinct vulnerability finding that counts (not ignored). */
  findings: Finding[];
  /** Findings that break the policy, worst first. */
  failing: FailingFinding[];
  /** Every ignored vulnerability, secret and misconfiguration, with the rule or status that dropped it. */
  ignored: IgnoredFinding[];
  /** Ignore-file entries whose expiry has passed; they no longer ignore anything. */
  expiredIgnores: IgnoreRule[];
  warnings: string[];
  /** Counted findings by severity. */
  counts: Record<Severity, number>;
  /** Secrets and failed misconfiguration checks (reported, not gated: the policy is about vulnerabilities). */
  secrets: OtherFinding[];
  misconfigurations: OtherFinding[];
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Why a finding breaks the policy; empty when it does not. */
export function failReasons(f: Pick<Finding, 'cvss' | 'severity'>, policy: GatePolicy): FailReason[] {
  const reasons: FailReason[] = [];
  if (f.cvss && f.cvss.score >= policy.cvssThreshold) reasons.push('cvss');
  if (severityRank(f.severity) >= severityRank(policy.severity)) reasons.push('severity');
  return reasons;
}

/** Worst first: score, then severity, then ID and package for a stable order. */
export const worstFirst = (a: Finding, b: Finding) =>
  (b.cvss?.score ?? -1) - (a.cvss?.score ?? -1) ||
  severityRank(b.severity) - severityRank(a.severity) ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) ||
  (a.pkgName < b.pkgName ? -1 : a.pkgName > b.pkgName ? 1 : 0);

/** Sorts by worstFirst, each finding's numbers read once (a big report fails tens of thousands). */
function sortWorstFirst<T extends Finding>(findings: T[]): void {
  const keyed = findings.map((f) => ({
    f,
    score: f.cvss?.score ?? -1,
    rank: severityRank(f.severity),
    id: f.id,
    pkg: f.pkgName,
  }));
  keyed.sort(
    (a, b) =>
      b.score - a.score ||
      b.rank - a.rank ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) ||
      (a.pkg < b.pkg ? -1 : a.pkg > b.pkg ? 1 : 0),
  );
  keyed.forEach((k, i) => (findings[i] = k.f));
}

export function evaluateGate(
  input: TrivyReport | PlatformReport[],
  policy: GatePolicy,
  ignores: IgnoreConfig = NO_IGNORES,
): GateResult {
  const collected = collectFindings(input, policy, ignores);
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const failing: FailingFinding[] = [];
  for (const f of collected.findings) {
    counts[f.severity]++;
    const reasons = failReasons(f, policy);
    if (reasons.length) failing.push({ ...f, reasons });
  }
  sortWorstFirst(failing);
  const warnings = [...ignores.warnings];
  if (policy.ignoreUnfixed && policy.ignoreStatuses?.length)
    warnings.push('ignoreUnfixed has no effect because ignoreStatuses is set (as in Trivy)');
  return {
    passed: !policy.enabled || failing.length === 0,
    policy,
    findings: collected.findings,
    failing,
    ignored: collected.ignored,
    expiredIgnores: ignores.expired,
    warnings,
    counts,
    secrets: collected.secrets,
    misconfigurations: collected.misconfigurations,
  };
}

/** "installed → fixed" or "installed → no fix". */
export function formatVersions(f: Pick<Finding, 'installedVersion' | 'fixedVersion'>): string {
  return `${f.installedVersion || '?'} → ${f.fixedVersion ?? 'no fix'}`;
}

/** One line per failing finding: id, package, versions, score and source, severity, and which rule it broke. */
export function formatFailingFinding(f: FailingFinding, policy: GatePolicy): string {
  const why = f.reasons
    .map((r) =>
      r === 'cvss'
        ? `CVSS ${f.cvss!.score.toFixed(1)} ≥ ${policy.cvssThreshold.toFixed(1)}`
        : `severity ${f.severity} ≥ ${policy.severity}`,
    )
    .join(' and ');
  const pkg = f.pkgPath ? `${f.pkgName} (${f.pkgPath})` : f.pkgName;
  return `${f.id} in ${pkg} ${formatVersions(f)}: ${formatCvss(f.cvss)}, severity ${f.severity} — fails: ${why}`;
}

export function formatExpiredIgnore(e: IgnoreRule): string {
  return `${e.id} (line ${e.line}) expired on ${e.expiresText}: it no longer ignores this finding`;
}

/** "ignore file .trivyignore line 3 (until 2030-01-01): reason" or "status will_not_fix (ignoreUnfixed)". */
export function formatIgnoreReason(r: IgnoreReason): string {
  if (r.by === 'status') return `status ${r.status} (${r.option})`;
  const until = r.rule.expiresText ? ` until ${r.rule.expiresText}` : ', no expiry';
  return `ignore file ${r.file ?? ''} line ${r.rule.line} (${r.rule.id}${until})${r.rule.statement ? `: ${r.rule.statement}` : ''}`;
}

export function policyText(p: GatePolicy): string {
  const { statuses, option } = ignoredStatuses(p);
  const drop =
    option === 'ignoreStatuses' ? `, statuses ${statuses.join('/')} ignored` : option ? ', unfixed ignored' : '';
  return `CVSS ≥ ${p.cvssThreshold.toFixed(1)} or severity ≥ ${p.severity}${drop}`;
}

/** The lines printed by the scan executor: warnings, failing findings, expired ignores, the verdict. */
export function gateReportLines(g: GateResult): string[] {
  const p = g.policy;
  const lines: string[] = g.warnings.map((w) => `warning: ${w}`);
  for (const e of g.expiredIgnores) lines.push(`ignore entry ${formatExpiredIgnore(e)}`);
  for (const f of g.failing) lines.push(`✗ ${formatFailingFinding(f, p)}`);
  const rule = policyText(p);
  const tail = `${g.findings.length} finding(s), ${g.ignored.length} ignored, ${g.secrets.length} secret(s), ${g.misconfigurations.length} misconfiguration(s)`;
  if (!p.enabled) lines.push(`gate disabled: ${g.failing.length} finding(s) would fail (${rule}); ${tail}`);
  else if (g.passed) lines.push(`gate passed (${rule}): ${tail}`);
  else lines.push(`gate FAILED: ${g.failing.length} finding(s) break the policy (${rule}); ${tail}`);
  if (g.secrets.length)
    lines.push(
      `warning: ${g.secrets.length} secret(s) found in the image (not gated): ${g.secrets.map((s) => `${s.id} in ${s.target}`).join(', ')}`,
    );
  return lines;
}
