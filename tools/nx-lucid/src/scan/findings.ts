import { VULN_STATUSES } from '../config/options';
import { CvssScore, highestCvss, trivySecuritySeverity } from './cvss';
import { IgnoreConfig, IgnoreRule } from './ignore-file';
import { matchMisconfiguration, matchSecret, matchVulnerability } from './ignore-match';
import { asPlatformReports, PlatformReport, SEVERITIES, Severity, TrivyReport, TrivyVulnerability } from './report';

export type VulnStatus = (typeof VULN_STATUSES)[number];
export const statusOf = (v: Pick<TrivyVulnerability, 'Status'>): VulnStatus =>
  (VULN_STATUSES as readonly string[]).includes(v.Status ?? '') ? (v.Status as VulnStatus) : 'unknown';

/**
 * Reports of Trivy <= 0.43 carry no Status at all; that Trivy meant "unfixed" as `FixedVersion == ""`
 * (pkg/result/filter.go then). Such a report's statuses are read that way: fixed when it names a fix, else
 * affected, so --ignore-unfixed keeps what that Trivy kept instead of dropping every finding as `unknown`.
 */
export function reportStatuses(report: TrivyReport): (v: TrivyVulnerability) => VulnStatus {
  const anyStatus = (report.Results ?? []).some((r) => (r.Vulnerabilities ?? []).some((v) => v.Status !== undefined));
  return anyStatus ? statusOf : (v) => (v.FixedVersion?.trim() ? 'fixed' : 'affected');
}

/**
 * The statuses Trivy drops (pkg/flag/vulnerability_flags.go): `--ignore-status` as given; `--ignore-unfixed` is
 * shorthand for every status but `fixed` and is itself ignored when `--ignore-status` is set. By Status, never
 * by FixedVersion: `fixed` without a FixedVersion is kept, `will_not_fix` with one is dropped.
 */
export function ignoredStatuses(p: { ignoreUnfixed: boolean; ignoreStatuses?: readonly VulnStatus[] }): {
  statuses: VulnStatus[];
  option?: 'ignoreUnfixed' | 'ignoreStatuses';
} {
  if (p.ignoreStatuses?.length) return { statuses: [...p.ignoreStatuses], option: 'ignoreStatuses' };
  if (p.ignoreUnfixed) return { statuses: VULN_STATUSES.filter((s) => s !== 'fixed'), option: 'ignoreUnfixed' };
  return { statuses: [] };
}

export type IgnoreReason =
  | { by: 'status'; status: VulnStatus; option: 'ignoreUnfixed' | 'ignoreStatuses' }
  | { by: 'ignore-file'; rule: IgnoreRule; file?: string };

export interface Occurrence {
  platform?: string;
  /** The result's Target as Trivy wrote it. */
  target: string;
  /** The result's Class: os-pkgs, lang-pkgs, … */
  resultClass?: string;
  vuln: TrivyVulnerability;
  /** The status as the report's Trivy meant it (see reportStatuses). */
  status: VulnStatus;
  ignoredBy?: IgnoreReason;
}

export interface Finding {
  id: string;
  pkgName: string;
  pkgPath?: string;
  installedVersion: string;
  /** Set only when every counted occurrence has a fix. */
  fixedVersion?: string;
  /** `fixed` only when every counted occurrence is fixed. */
  status: VulnStatus;
  severity: Severity;
  cvss?: CvssScore;
  /** Trivy's SARIF security-severity, the highest over occurrences. */
  securitySeverity: string;
  title?: string;
  url?: string;
  targets: string[];
  platforms: string[];
  /** The occurrence with the highest severity (descriptions, links). */
  vulnerability: TrivyVulnerability;
  occurrences: Occurrence[];
}

export interface IgnoredFinding {
  kind: 'vulnerability' | 'secret' | 'misconfiguration';
  id: string;
  /** Package (vulnerabilities) or target file (secrets, misconfigurations). */
  where: string;
  severity: Severity;
  platforms: string[];
  /** Why each occurrence was dropped (distinct). */
  reasons: IgnoreReason[];
  finding?: Finding;
}

export interface OtherFinding {
  kind: 'secret' | 'misconfiguration';
  resultClass?: string;
  resultType?: string;
  id: string;
  target: string;
  platforms: string[];
  severity: Severity;
  title?: string;
  startLine?: number;
  endLine?: number;
  detail?: string;
  url?: string;
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);
const uniq = <T>(xs: T[]) => [...new Set(xs)];
const reasonKey = (r: IgnoreReason) => (r.by === 'status' ? `s:${r.status}` : `f:${r.rule.line}:${r.rule.id}`);

/** Trivy's filter decision for one occurrence: status first, then the ignore file (pkg/result/filter.go). */
function decide(
  v: TrivyVulnerability,
  status: VulnStatus,
  target: string,
  drop: ReturnType<typeof ignoredStatuses>,
  ignores: IgnoreConfig,
): IgnoreReason | undefined {
  if (drop.option && drop.statuses.includes(status)) return { by: 'status', status, option: drop.option };
  const rule = matchVulnerability(ignores, v.VulnerabilityID, target, v.PkgPath, v.PkgIdentifier?.PURL);
  return rule ? { by: 'ignore-file', rule, file: ignores.file } : undefined;
}

/** Joins occurrences into one finding that keeps the worst of each: severity, CVSS, fix and status. */
export function mergeOccurrences(occ: Occurrence[]): Finding {
  if (occ.length === 1) return singleOccurrence(occ);
  const worst = occ.reduce((a, b) => (rank(b.vuln.Severity) > rank(a.vuln.Severity) ? b : a));
  const scores = occ.map((o) => highestCvss(o.vuln)).filter((c): c is CvssScore => !!c);
  const cvss = scores.reduce<CvssScore | undefined>((a, b) => (!a || b.score > a.score ? b : a), undefined);
  const fixes = occ.map((o) => o.vuln.FixedVersion?.trim() ?? '');
  const v = worst.vuln;
  return {
    id: v.VulnerabilityID,
    pkgName: v.PkgName,
    pkgPath: v.PkgPath,
    installedVersion: v.InstalledVersion,
    fixedVersion: fixes.every(Boolean) ? fixes.reduce((a, b) => (b > a ? b : a)) : undefined,
    status: occ.find((o) => o.status !== 'fixed')?.status ?? 'fixed',
    severity: v.Severity,
    cvss,
    securitySeverity: occ.map((o) => trivySecuritySeverity(o.vuln)).reduce((a, b) => (+b > +a ? b : a)),
    title: v.Title,
    url: v.PrimaryURL,
    targets: uniq(occ.map((o) => o.target)),
    platforms: uniq(occ.map((o) => o.platform).filter((p): p is string => !!p)),
    vulnerability: v,
    occurrences: occ,
  };
}

/** mergeOccurrences of one occurrence (most findings): the same finding, without the arrays a merge needs. */
function singleOccurrence(occ: Occurrence[]): Finding {
  const [o] = occ;
  const v = o.vuln;
  const fix = v.FixedVersion?.trim() ?? '';
  return {
    id: v.VulnerabilityID,
    pkgName: v.PkgName,
    pkgPath: v.PkgPath,
    installedVersion: v.InstalledVersion,
    fixedVersion: fix || undefined,
    status: o.status,
    severity: v.Severity,
    cvss: highestCvss(v),
    securitySeverity: trivySecuritySeverity(v),
    title: v.Title,
    url: v.PrimaryURL,
    targets: [o.target],
    platforms: o.platform ? [o.platform] : NO_PLATFORMS,
    vulnerability: v,
    occurrences: occ,
  };
}
/** The platforms of a single report's finding: one array for all of them, frozen (never added to). */
const NO_PLATFORMS: string[] = Object.freeze([]) as unknown as string[];

export interface CollectedFindings {
  findings: Finding[];
  ignored: IgnoredFinding[];
  secrets: OtherFinding[];
  misconfigurations: OtherFinding[];
}

type Policy = { ignoreUnfixed: boolean; ignoreStatuses?: readonly VulnStatus[] };
type Result = NonNullable<TrivyReport['Results']>[number];

/** Vulnerability occurrences grouped by (ID, package, path, installed version), each decided as Trivy would. */
function groupVulnerabilities(reports: PlatformReport[], policy: Policy, ignores: IgnoreConfig) {
  const drop = ignoredStatuses(policy);
  const groups = new Map<string, Occurrence[]>();
  for (const { platform, report } of reports) {
    const statusIn = reportStatuses(report);
    for (const result of report.Results ?? [])
      for (const v of result.Vulnerabilities ?? []) {
        const key = `${v.VulnerabilityID}\u0000${v.PkgName}\u0000${v.PkgPath ?? ''}\u0000${v.InstalledVersion}`;
        const list = groups.get(key) ?? [];
        groups.set(key, list);
        const status = statusIn(v);
        const ignoredBy = decide(v, status, result.Target, drop, ignores);
        list.push({ platform, target: result.Target, resultClass: result.Class, vuln: v, status, ignoredBy });
      }
  }
  return groups;
}

const secretOf = (result: Result, s: NonNullable<Result['Secrets']>[number], platforms: string[]): OtherFinding => ({
  kind: 'secret',
  resultClass: result.Class,
  resultType: result.Type,
  id: s.RuleID,
  target: result.Target,
  platforms,
  severity: s.Severity,
  title: s.Title,
  startLine: s.StartLine,
  endLine: s.EndLine,
  detail: s.Match,
});

const misconfigurationOf = (
  result: Result,
  m: NonNullable<Result['Misconfigurations']>[number],
  platforms: string[],
): OtherFinding => ({
  kind: 'misconfiguration',
  resultClass: result.Class,
  resultType: result.Type,
  id: m.ID,
  target: result.Target,
  platforms,
  severity: m.Severity,
  title: m.Title,
  startLine: m.CauseMetadata?.StartLine,
  endLine: m.CauseMetadata?.EndLine,
  detail: m.Message,
  url: m.PrimaryURL,
});

type OtherEntry = { f: OtherFinding; reasons: IgnoreReason[]; kept: boolean };

/** Secrets and failed misconfigurations, one entry per (kind, ID, target, line) over platforms. */
function groupOthers(reports: PlatformReport[], ignores: IgnoreConfig): Map<string, OtherEntry> {
  const others = new Map<string, OtherEntry>();
  const add = (f: OtherFinding, rule: IgnoreRule | undefined) => {
    const key = [f.kind, f.id, f.target, f.startLine ?? ''].join('\u0000');
    const e = others.get(key) ?? { f: { ...f, platforms: [] }, reasons: [], kept: false };
    others.set(key, e);
    for (const p of f.platforms) if (!e.f.platforms.includes(p)) e.f.platforms.push(p);
    if (rule) e.reasons.push({ by: 'ignore-file', rule, file: ignores.file });
    else e.kept = true;
  };
  for (const { platform, report } of reports) {
    const platforms = platform ? [platform] : [];
    for (const result of report.Results ?? []) {
      for (const s of result.Secrets ?? [])
        add(secretOf(result, s, platforms), matchSecret(ignores, s.RuleID, result.Target));
      for (const m of result.Misconfigurations ?? []) {
        if (m.Status && m.Status !== 'FAIL') continue;
        const ids = [m.ID, m.AVDID, ...(m.Aliases ?? [])];
        add(misconfigurationOf(result, m, platforms), matchMisconfiguration(ignores, ids, result.Target));
      }
    }
  }
  return others;
}

const distinctReasons = (rs: IgnoreReason[]) => [...new Map(rs.map((r) => [reasonKey(r), r])).values()];

/** A finding is ignored only when every occurrence is; otherwise it counts with its counted occurrences. */
function splitVulnerabilities(groups: Map<string, Occurrence[]>, out: CollectedFindings): void {
  for (const occ of groups.values()) {
    const counted = occ.length === 1 && !occ[0].ignoredBy ? occ : occ.filter((o) => !o.ignoredBy);
    if (counted.length) {
      out.findings.push(mergeOccurrences(counted));
      continue;
    }
    const finding = mergeOccurrences(occ);
    const where = finding.pkgPath ? `${finding.pkgName} (${finding.pkgPath})` : finding.pkgName;
    const { id, severity, platforms } = finding;
    const reasons = distinctReasons(occ.map((o) => o.ignoredBy!));
    out.ignored.push({ kind: 'vulnerability', id, where, severity, platforms, reasons, finding });
  }
}

function splitOthers(others: Map<string, OtherEntry>, out: CollectedFindings): void {
  for (const { f, reasons, kept } of others.values()) {
    if (kept) (f.kind === 'secret' ? out.secrets : out.misconfigurations).push(f);
    else {
      const { kind, id, target: where, severity, platforms } = f;
      out.ignored.push({ kind, id, where, severity, platforms, reasons: distinctReasons(reasons) });
    }
  }
}

/**
 * Every vulnerability occurrence over results and platforms, decided as Trivy's filter would, then merged per
 * (ID, package, path, installed version). A finding is ignored only when every occurrence is; otherwise it is
 * counted with the worst of its counted occurrences, so the gate fails if Trivy's filter on any platform keeps
 * a finding that breaks the policy, whatever the order of platforms.
 */
export function collectFindings(
  input: TrivyReport | PlatformReport[],
  policy: Policy,
  ignores: IgnoreConfig,
): CollectedFindings {
  const reports = asPlatformReports(input);
  const out: CollectedFindings = { findings: [], ignored: [], secrets: [], misconfigurations: [] };
  splitVulnerabilities(groupVulnerabilities(reports, policy, ignores), out);
  splitOthers(groupOthers(reports, ignores), out);
  return out;
}
