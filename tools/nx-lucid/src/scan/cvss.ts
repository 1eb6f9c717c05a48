import type { TrivyVulnerability } from './report';

export interface CvssScore {
  score: number;
  /** The assessing source as Trivy names it: nvd, ghsa, redhat, … */
  source: string;
  version: 'V3' | 'V4.0';
  vector?: string;
}

/** Tie-break order when two sources give the same score: the reference database first. */
const SOURCE_PREFERENCE = ['nvd', 'ghsa', 'redhat'];
const rank = (source: string) => {
  const i = SOURCE_PREFERENCE.indexOf(source);
  return i === -1 ? SOURCE_PREFERENCE.length : i;
};

/** Every V3 and V4.0 base score of a vulnerability, over all sources. V2 is left out: the policy speaks of CVSS v3+ scores. */
export function cvssScores(vuln: Pick<TrivyVulnerability, 'CVSS'>): CvssScore[] {
  const out: CvssScore[] = [];
  for (const [source, c] of Object.entries(vuln.CVSS ?? {})) {
    if (typeof c.V3Score === 'number') out.push({ score: c.V3Score, source, version: 'V3', vector: c.V3Vector });
    if (typeof c.V40Score === 'number') out.push({ score: c.V40Score, source, version: 'V4.0', vector: c.V40Vector });
  }
  return out;
}

/**
 * The highest CVSS base score over all sources and versions (V3, V4.0), or undefined when no source scored it.
 * A vendor's low severity does not lower it: the worst credible assessment decides.
 */
export function highestCvss(vuln: Pick<TrivyVulnerability, 'CVSS'>): CvssScore | undefined {
  // The first of the scores sorted by byWorst, found in one pass (a report has tens of thousands of findings).
  let best: CvssScore | undefined;
  for (const score of cvssScores(vuln)) if (!best || byWorst(score, best) < 0) best = score;
  return best;
}

/** Highest score first; then V4.0 before V3, the preferred source, the source's name. */
const byWorst = (a: CvssScore, b: CvssScore) =>
  b.score - a.score ||
  (a.version === b.version ? 0 : a.version === 'V4.0' ? -1 : 1) ||
  rank(a.source) - rank(b.source) ||
  a.source.localeCompare(b.source);

export function formatCvss(s: CvssScore | undefined): string {
  return s ? `CVSS ${s.version === 'V3' ? 'v3' : 'v4.0'} ${s.score.toFixed(1)} (${s.source})` : 'no CVSS v3/v4 score';
}

/** Trivy's severity → score stand-in (pkg/report/sarif.go severityToScore). */
export function severityScore(severity: string): string {
  return ({ CRITICAL: '9.5', HIGH: '8.0', MEDIUM: '5.5', LOW: '2.0' } as Record<string, string>)[severity] ?? '0.0';
}

/**
 * SARIF `security-severity` as Trivy writes it (pkg/report/sarif.go toCVSSData): the V3 base score of the source
 * that set the severity (CVSS[SeveritySource]) when it has one, else the severity's stand-in score. Not the
 * highest score over sources: a LOW from the vendor with an NVD 7.8 stays 2.0 when the vendor set the severity.
 */
export function trivySecuritySeverity(vuln: Pick<TrivyVulnerability, 'CVSS' | 'SeveritySource' | 'Severity'>): string {
  const own = vuln.SeveritySource ? vuln.CVSS?.[vuln.SeveritySource] : undefined;
  return own?.V3Score ? own.V3Score.toFixed(1) : severityScore(vuln.Severity);
}
