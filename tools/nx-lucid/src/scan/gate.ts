import { DEFAULT_GATE } from '../config/options';
import { CvssScore, formatCvss, highestCvss } from './cvss';
import { IgnoreEntry, IgnoreList } from './ignore-file';
import { SEVERITIES, Severity, TrivyReport, TrivyVulnerability } from './report';

export interface GatePolicy {
  enabled: boolean;
  /** Fail on any finding whose highest CVSS v3/v4 base score is at or above this. */
  cvssThreshold: number;
  /** …or whose Trivy severity is at or above this. */
  severity: Severity;
  /** Findings without a fixed version do not count. */
  ignoreUnfixed: boolean;
}

export const DEFAULT_POLICY: GatePolicy = { ...DEFAULT_GATE };

export interface Finding {
  id: string;
  pkgName: string;
  pkgPath?: string;
  installedVersion: string;
  fixedVersion?: string;
  severity: Severity;
  cvss?: CvssScore;
  title?: string;
  url?: string;
  /** Report targets the finding was seen in (several when platforms or paths repeat it). */
  targets: string[];
  vulnerability: TrivyVulnerability;
}

export type FailReason = 'cvss' | 'severity';
export interface FailingFinding extends Finding {
  reasons: FailReason[];
}
export interface IgnoredFinding {
  finding: Finding;
  by: 'ignore-file' | 'unfixed';
  entry?: IgnoreEntry;
}

export interface GateResult {
  passed: boolean;
  policy: GatePolicy;
  /** Every distinct vulnerability finding in the report. */
  findings: Finding[];
  /** Findings that break the policy (empty when passed or when the gate is disabled and nothing breaks it). */
  failing: FailingFinding[];
  ignored: IgnoredFinding[];
  /** Ignore-file entries whose exp: date has passed; they no longer ignore anything. */
  expiredIgnores: IgnoreEntry[];
  /** Findings counted by severity, ignored ones excluded. */
  counts: Record<Severity, number>;
  /** Secret findings (reported, not gated: the policy is about vulnerabilities). */
  secrets: Array<{ target: string; ruleId: string; severity: Severity; title?: string }>;
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

const hasFix = (f: Finding) => !!f.fixedVersion && f.fixedVersion.trim() !== '';

/** Distinct findings: one per (id, package, path, installed version), however many targets repeat it. */
export function collectFindings(report: TrivyReport): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const result of report.Results ?? []) {
    for (const v of result.Vulnerabilities ?? []) {
      const key = [v.VulnerabilityID, v.PkgName, v.PkgPath ?? '', v.InstalledVersion].join('\u0000');
      const existing = byKey.get(key);
      if (existing) {
        if (!existing.targets.includes(result.Target)) existing.targets.push(result.Target);
        continue;
      }
      byKey.set(key, {
        id: v.VulnerabilityID,
        pkgName: v.PkgName,
        pkgPath: v.PkgPath,
        installedVersion: v.InstalledVersion,
        fixedVersion: v.FixedVersion?.trim() || undefined,
        severity: v.Severity,
        cvss: highestCvss(v),
        title: v.Title,
        url: v.PrimaryURL,
        targets: [result.Target],
        vulnerability: v,
      });
    }
  }
  return [...byKey.values()];
}

/** Why a finding breaks the policy; empty when it does not. */
export function failReasons(f: Finding, policy: GatePolicy): FailReason[] {
  const reasons: FailReason[] = [];
  if (f.cvss && f.cvss.score >= policy.cvssThreshold) reasons.push('cvss');
  if (severityRank(f.severity) >= severityRank(policy.severity)) reasons.push('severity');
  return reasons;
}

export function evaluateGate(report: TrivyReport, policy: GatePolicy, ignores: IgnoreList = { active: [], expired: [] }): GateResult {
  const findings = collectFindings(report);
  const activeById = new Map<string, IgnoreEntry>();
  for (const e of ignores.active) if (!activeById.has(e.id)) activeById.set(e.id, e);

  const ignored: IgnoredFinding[] = [];
  const failing: FailingFinding[] = [];
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) {
    const entry = activeById.get(f.id);
    if (entry) {
      ignored.push({ finding: f, by: 'ignore-file', entry });
      continue;
    }
    if (policy.ignoreUnfixed && !hasFix(f)) {
      ignored.push({ finding: f, by: 'unfixed' });
      continue;
    }
    counts[f.severity]++;
    const reasons = failReasons(f, policy);
    if (reasons.length) failing.push({ ...f, reasons });
  }
  failing.sort(
    (a, b) =>
      (b.cvss?.score ?? -1) - (a.cvss?.score ?? -1) ||
      severityRank(b.severity) - severityRank(a.severity) ||
      a.id.localeCompare(b.id) ||
      a.pkgName.localeCompare(b.pkgName),
  );

  const secrets: GateResult['secrets'] = [];
  for (const result of report.Results ?? []) {
    for (const s of result.Secrets ?? []) {
      if (activeById.has(s.RuleID)) continue;
      secrets.push({ target: result.Target, ruleId: s.RuleID, severity: s.Severity, title: s.Title });
    }
  }

  return {
    passed: !policy.enabled || failing.length === 0,
    policy,
    findings,
    failing,
    ignored,
    expiredIgnores: ignores.expired,
    counts,
    secrets,
  };
}

/** "installed → fixed" or "installed → no fix". */
export function formatVersions(f: Pick<Finding, 'installedVersion' | 'fixedVersion'>): string {
  return `${f.installedVersion || '?'} → ${f.fixedVersion ?? 'no fix'}`;
}

/** One line per failing finding: id, package, versions, score and source, severity, and which rule it broke. */
export function formatFailingFinding(f: FailingFinding, policy: GatePolicy): string {
  const why = f.reasons
    .map((r) => (r === 'cvss' ? `CVSS ${f.cvss!.score.toFixed(1)} ≥ ${policy.cvssThreshold.toFixed(1)}` : `severity ${f.severity} ≥ ${policy.severity}`))
    .join(' and ');
  const pkg = f.pkgPath ? `${f.pkgName} (${f.pkgPath})` : f.pkgName;
  return `${f.id} in ${pkg} ${formatVersions(f)}: ${formatCvss(f.cvss)}, severity ${f.severity} — fails: ${why}`;
}

export function formatExpiredIgnore(e: IgnoreEntry): string {
  return `${e.id} (line ${e.line}) expired on ${e.expiresText}: it no longer ignores this finding`;
}

/** The lines printed by the scan executor: failing findings, expired ignores, the verdict. */
export function gateReportLines(g: GateResult): string[] {
  const p = g.policy;
  const lines: string[] = [];
  for (const e of g.expiredIgnores) lines.push(`ignore entry ${formatExpiredIgnore(e)}`);
  for (const f of g.failing) lines.push(`✗ ${formatFailingFinding(f, p)}`);
  const rule = `CVSS ≥ ${p.cvssThreshold.toFixed(1)} or severity ≥ ${p.severity}${p.ignoreUnfixed ? ', unfixed ignored' : ''}`;
  const tail = `${g.findings.length} finding(s), ${g.ignored.length} ignored, ${g.secrets.length} secret(s)`;
  if (!p.enabled) lines.push(`gate disabled: ${g.failing.length} finding(s) would fail (${rule}); ${tail}`);
  else if (g.passed) lines.push(`gate passed (${rule}): ${tail}`);
  else lines.push(`gate FAILED: ${g.failing.length} finding(s) break the policy (${rule}); ${tail}`);
  if (g.secrets.length) lines.push(`warning: ${g.secrets.length} secret(s) found in the image (not gated): ${g.secrets.map((s) => `${s.ruleId} in ${s.target}`).join(', ')}`);
  return lines;
}
