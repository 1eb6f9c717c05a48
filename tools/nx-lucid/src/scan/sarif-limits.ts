import { gzipSync } from 'node:zlib';
import type { SarifLog, SarifResult, SarifRule, SarifRun } from './sarif';

/**
 * GitHub code scanning's upload limits (docs: "SARIF support for code scanning" → "Limits on uploading SARIF"):
 * at most 25,000 results and 25,000 rules per run, 1,000 locations per result, 10 MB per upload after gzip.
 * 10 MB is taken as 10,000,000 bytes, the stricter reading.
 */
export const GITHUB_SARIF_LIMITS = {
  resultsPerRun: 25_000,
  rulesPerRun: 25_000,
  locationsPerResult: 1_000,
  gzippedBytes: 10_000_000,
};
export type SarifLimits = typeof GITHUB_SARIF_LIMITS;

export interface SarifCut {
  /** Results in the log before and after fitting, summed over runs. */
  total: number;
  kept: number;
  leftOut: number;
  gzippedBytes: number;
}

const LEVEL_RANK: Record<string, number> = { error: 3, warning: 2, note: 1, none: 0 };

function ruleOf(run: SarifRun, r: SarifResult): SarifRule | undefined {
  const rules = run.tool.driver.rules ?? [];
  return r.ruleIndex !== undefined && rules[r.ruleIndex]?.id === r.ruleId
    ? rules[r.ruleIndex]
    : rules.find((x) => x.id === r.ruleId);
}

/** Which results must survive a cut: those of findings that fail the gate. */
export type MustKeep = (r: SarifResult) => boolean;

/**
 * The results of the gate's failing findings, recognised as both writers (ours and Trivy's) put them: the rule
 * is the vulnerability ID, the message names "Package: <name>" and "Installed Version: <version>".
 */
export function failingResults(
  failing: ReadonlyArray<{ id: string; pkgName: string; installedVersion: string }>,
): MustKeep {
  const keys = new Set(failing.map((f) => `${f.id}\u0000${f.pkgName}\u0000${f.installedVersion}`));
  return (r) => {
    const m = /Package: (.*)\nInstalled Version: (.*)\n/.exec((r.message as { text?: string } | undefined)?.text ?? '');
    return !!m && keys.has(`${r.ruleId}\u0000${m[1]}\u0000${m[2]}`);
  };
}

/**
 * How a result ranks (ranked): kept first if it must be, then by its rule's security-severity, then its level. The
 * original order breaks ties.
 */
export function rankOf(rule: SarifRule | undefined, r: SarifResult, mustKeep: MustKeep) {
  return {
    must: mustKeep(r) ? 1 : 0,
    score: Number(rule?.properties?.['security-severity'] ?? 0) || 0,
    level: LEVEL_RANK[r.level ?? 'warning'] ?? 0,
  };
}
export type Rank = ReturnType<typeof rankOf> & { i: number };
export const byRank = (a: Rank, b: Rank) => b.must - a.must || b.score - a.score || b.level - a.level || a.i - b.i;

/** A run's results, ranked: `sorted` holds the first of `total` results (all, or at least resultsPerRun). */
export interface RankedRun {
  sorted: SarifResult[];
  must: number;
  total: number;
}

/**
 * Results that must be kept first, then worst first: the rule's security-severity, then the result's level; the
 * original order breaks ties. Returns the order and how many must be kept.
 */
function ranked(run: SarifRun, mustKeep: MustKeep): RankedRun {
  const keyed = (run.results ?? []).map((r, i) => ({ r, i, ...rankOf(ruleOf(run, r), r, mustKeep) }));
  keyed.sort(byRank);
  return { sorted: keyed.map((k) => k.r), must: keyed.reduce((n, k) => n + k.must, 0), total: keyed.length };
}

/** A run with its `keep` worst results, only the rules they use (indexes renumbered), and a notice of the cut. */
function cutRun(run: SarifRun, { sorted, total }: RankedRun, keep: number, limits: SarifLimits): SarifRun {
  const kept = sorted.slice(0, keep);
  const oldRules = run.tool.driver.rules ?? [];
  const rules: SarifRule[] = [];
  const index = new Map<SarifRule, number>();
  const results = kept.map((r) => {
    const rule = ruleOf(run, r);
    const out: SarifResult = { ...r };
    if (Array.isArray(out.locations) && out.locations.length > limits.locationsPerResult)
      out.locations = out.locations.slice(0, limits.locationsPerResult);
    if (!rule) return out;
    let i = index.get(rule);
    if (i === undefined) index.set(rule, (i = rules.push(rule) - 1));
    return { ...out, ruleIndex: i };
  });
  const leftOut = total - keep;
  const text = `${leftOut} of ${total} results left out to fit GitHub code scanning limits (${limits.resultsPerRun} results per run, ${limits.gzippedBytes / 1e6} MB gzipped); every one failing the gate is kept, then the highest security-severity (${keep} in all); report.json has them all.`;
  const invocations = Array.isArray(run.invocations)
    ? (run.invocations as Array<Record<string, unknown>>)
    : [{ executionSuccessful: true }];
  return {
    ...run,
    tool: { ...run.tool, driver: { ...run.tool.driver, rules: oldRules.length ? rules : run.tool.driver.rules } },
    results,
    invocations: invocations.map((inv, i) =>
      i === 0
        ? {
            ...inv,
            toolExecutionNotifications: [
              ...((inv.toolExecutionNotifications as unknown[]) ?? []),
              { level: 'warning', message: { text } },
            ],
          }
        : inv,
    ),
    properties: { ...((run.properties as object) ?? {}), truncated: { total, kept: keep, leftOut } },
  };
}

/**
 * Fits a SARIF file (ours or Trivy's) into GitHub's limits. Within them, the text is kept byte for byte (no
 * `text` returned). Otherwise each run keeps the results of findings that fail the gate, then its worst ones, up
 * to 25,000 (fewer, in proportion, until the whole file gzips under 10 MB), written compact, with a notice in
 * the run naming how many were left out. Failing results go only when they alone exceed the limits.
 */
export function fitSarif(
  original: string,
  mustKeep: MustKeep = () => false,
  limits: SarifLimits = GITHUB_SARIF_LIMITS,
): { text?: string; cut: SarifCut } {
  return fitSarifLog(JSON.parse(original) as SarifLog, () => original, mustKeep, limits);
}

/**
 * fitSarif on a log not yet written: `original` gives its text (as it would be written), asked for only when the
 * log may fit as it is, so a log that must be cut is never written whole nor parsed back.
 */
export function fitSarifLog(
  log: SarifLog,
  original: () => string,
  mustKeep: MustKeep = () => false,
  limits: SarifLimits = GITHUB_SARIF_LIMITS,
): { text?: string; cut: SarifCut } {
  return fitRankedLog(
    log,
    log.runs.map((run) => ranked(run, mustKeep)),
    original,
    limits,
  );
}

/**
 * fitSarifLog on runs already ranked (`runs[i]` is log.runs[i]'s). A run whose `sorted` holds fewer than its
 * `total` results (only the first resultsPerRun were made) is always cut, from those.
 */
export function fitRankedLog(
  log: SarifLog,
  runs: RankedRun[],
  original: () => string,
  limits: SarifLimits,
): { text?: string; cut: SarifCut } {
  const total = runs.reduce((n, r) => n + r.total, 0);
  let keep = runs.map((r) => Math.min(r.total, limits.resultsPerRun));
  const rulesOk = log.runs.every((r) => (r.tool.driver.rules?.length ?? 0) <= limits.rulesPerRun);
  if (rulesOk && keep.every((k, i) => k === runs[i].total)) {
    const originalGz = gzipSync(original()).length;
    if (originalGz <= limits.gzippedBytes) return { cut: { total, kept: total, leftOut: 0, gzippedBytes: originalGz } };
  }
  for (;;) {
    const fitted: SarifLog = {
      ...log,
      runs: log.runs.map((run, i) =>
        keep[i] < runs[i].total || !rulesOk ? cutRun(run, runs[i], keep[i], limits) : run,
      ),
    };
    const text = JSON.stringify(fitted);
    const gz = gzipSync(text).length;
    const kept = keep.reduce((a, b) => a + b, 0);
    if (gz <= limits.gzippedBytes || kept === 0)
      return { text, cut: { total, kept, leftOut: total - kept, gzippedBytes: gz } };
    const atFloor = keep.every((k, i) => k <= Math.min(runs[i].must, limits.resultsPerRun));
    keep = keep.map((k, i) => {
      const shrunk = Math.floor(k * (limits.gzippedBytes / gz) * 0.95);
      // Never below the failing results, unless they alone are too big (then they are cut like the rest).
      return atFloor ? shrunk : Math.max(shrunk, Math.min(runs[i].must, limits.resultsPerRun, k));
    });
  }
}
