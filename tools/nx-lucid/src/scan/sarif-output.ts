/** Trivy's version and the SARIF file of a scan: `trivy convert` when it works, else our own conversion. */
import { readFileSync } from 'node:fs';
import { removePath, writeFileAtomic } from '../boundary/files';
import type { IgnoreConfig } from './ignore-file';
import type { TrivyReport } from './report';
import { messageOf, resultOf, SarifParts, sarifLevel, sarifLog, sarifParts, SarifResult, severityOf } from './sarif';
import {
  byRank,
  failingResults,
  fitRankedLog,
  fitSarif,
  fitSarifLog,
  GITHUB_SARIF_LIMITS,
  MustKeep,
  Rank,
  RankedRun,
  rankOf,
  SarifCut,
  SarifLimits,
} from './sarif-limits';
import { ignoredStatuses } from './findings';
import type { GateResult } from './gate';
import type { ScanDeps, ScanOptions } from './scan-types';
import type { ScanOutcome } from './summary';
import { trivyConvertArgs, TrivyIsolation } from './trivy-command';

/** Trivy's version for the summary; a failure here is not fatal (the scan itself reports real errors). */
export async function readTrivyVersion(run: ScanDeps['run'], env: NodeJS.ProcessEnv): Promise<string | null> {
  try {
    const r = await run('trivy', ['version', '--format', 'json'], { env, allowFailure: true, timeoutMs: 30_000 });
    if (r.exitCode !== 0) return null;
    const v = JSON.parse(r.stdout) as { Version?: unknown };
    return typeof v.Version === 'string' ? v.Version : null;
  } catch {
    return null;
  }
}

export interface SarifInput {
  mode: ScanOptions['sarif'];
  reportFile: string;
  sarifFile: string;
  ignoreFile: string | undefined;
  parts: Array<{ platform: string; report: TrivyReport }>;
  ignores: IgnoreConfig;
  gate: GateResult;
}

/**
 * report.sarif, fitted to GitHub's limits (failing findings kept first), and how it was made: by `trivy convert`
 * (its file read back to be fitted) when the mode allows and it works, else built in and fitted in one step.
 */
export async function writeSarif(
  { mode, reportFile, sarifFile, ignoreFile, parts, ignores, gate }: SarifInput,
  { trivyVersion, isolation }: { trivyVersion: string | null; isolation: TrivyIsolation },
  { run, log }: Pick<ScanDeps, 'run' | 'log'>,
  env: NodeJS.ProcessEnv,
): Promise<{ source: ScanOutcome['sarif']; cut: SarifCut }> {
  const made = builtInParts(parts, ignores, trivyVersion, gate);
  // Over GitHub's results limit the SARIF must be cut: Trivy's would be read back whole for it, the built-in one
  // is made and cut in bounded memory. `auto` takes the built-in one then; `trivy` reads Trivy's, as asked.
  const mustCut = made.pending.length > GITHUB_SARIF_LIMITS.resultsPerRun;
  if (mode === 'auto' && mustCut)
    log(
      `note: ${made.pending.length} SARIF results, more than GitHub takes (${GITHUB_SARIF_LIMITS.resultsPerRun}): using the built-in SARIF conversion (made and cut in bounded memory), not trivy convert`,
    );
  let converted: string | undefined;
  if (mode === 'trivy' || (mode === 'auto' && !mustCut)) {
    try {
      // In Trivy's private dir with the empty config: no trivy.yaml or .trivyignore of the workspace applies.
      await run('trivy', trivyConvertArgs(reportFile, sarifFile, isolation, ignoreFile), {
        cwd: isolation.cwd,
        env,
        timeoutMs: 5 * 60_000,
      });
      const text = readFileSync(sarifFile, 'utf8');
      const sarif = JSON.parse(text) as { version?: unknown; runs?: unknown };
      if (sarif.version !== '2.1.0' || !Array.isArray(sarif.runs)) throw new Error('output is not a SARIF 2.1.0 log');
      converted = text;
    } catch (e) {
      if (mode === 'trivy')
        throw new Error(`trivy convert --format sarif failed: ${(e as Error).message}`, { cause: e });
      log(
        `note: trivy convert --format sarif failed (${(e as Error).message.split('\n')[0]}); using the built-in SARIF conversion`,
      );
      removePath(sarifFile);
    }
  }
  if (converted !== undefined) {
    // Trivy's SARIF is read back whole to be fitted (its size follows the report's; the built-in one never is).
    const fitted = fitSarif(converted, failingResults(gate.failing));
    if (fitted.text !== undefined) writeFileAtomic(sarifFile, fitted.text);
    return { source: 'trivy convert', cut: fitted.cut };
  }
  const built = fitBuiltIn(made, gate);
  writeFileAtomic(sarifFile, built.text);
  return { source: 'built-in', cut: built.cut };
}

/**
 * The built-in SARIF as it is written, already fitted to GitHub's limits: the whole log (indented) when it fits,
 * else the cut one (compact). Same bytes as writing the log and fitting the file, without the whole log ever being
 * text when it must be cut. The gate's findings are reused when its policy drops no status (then they are the
 * SARIF's: ignore-file rules only).
 */
export function fittedBuiltInSarif(
  parts: Array<{ platform: string; report: TrivyReport }> | TrivyReport,
  ignores: IgnoreConfig,
  trivyVersion: string | null,
  gate: GateResult,
  limits: SarifLimits = GITHUB_SARIF_LIMITS,
): { text: string; cut: SarifCut } {
  return fitBuiltIn(builtInParts(parts, ignores, trivyVersion, gate), gate, limits);
}

/** The built-in SARIF's rules and results to be made (the gate's findings reused when its policy drops no status). */
function builtInParts(
  parts: Array<{ platform: string; report: TrivyReport }> | TrivyReport,
  ignores: IgnoreConfig,
  trivyVersion: string | null,
  gate: GateResult,
): SarifParts {
  const reuse = ignoredStatuses(gate.policy).statuses.length === 0;
  return sarifParts(parts, ignores, trivyVersion ?? undefined, reuse ? gate : undefined);
}

function fitBuiltIn(made: SarifParts, gate: GateResult, limits: SarifLimits = GITHUB_SARIF_LIMITS) {
  const mustKeep = failingResults(gate.failing);
  if (made.pending.length > limits.resultsPerRun) {
    // Must be cut: only the results it may keep are made, in the order fitSarifLog would rank them.
    const ranked = rankPending(made, mustKeep, limits.resultsPerRun);
    const fitted = fitRankedLog(sarifLog(made, ranked.sorted), [ranked], neverWhole, limits);
    return { text: fitted.text!, cut: fitted.cut };
  }
  const log = sarifLog(made, made.pending.map(resultOf));
  const whole = () => JSON.stringify(log, null, 2) + '\n';
  let text: string | undefined;
  const fitted = fitSarifLog(log, () => (text = whole()), mustKeep, limits);
  return { text: fitted.text ?? text ?? whole(), cut: fitted.cut };
}

const neverWhole = (): string => {
  throw new Error('internal: a SARIF log with more results than GitHub takes is never written whole');
};

/**
 * The first `keepAtMost` results as fitSarifLog ranks them (failing first, then the rule's security-severity, the
 * level, the original order), each made only if it is among them; the others are counted.
 */
function rankPending({ rules, pending }: SarifParts, mustKeep: MustKeep, keepAtMost: number): RankedRun {
  const keyed: Rank[] = pending.map(({ source, ruleIndex }, i) => {
    const bare: SarifResult = {
      ruleId: rules[ruleIndex].id,
      ruleIndex,
      level: sarifLevel(severityOf(source)),
      message: { text: messageOf(source) },
    };
    return { i, ...rankOf(rules[ruleIndex], bare, mustKeep) };
  });
  keyed.sort(byRank);
  const must = keyed.reduce((n, k) => n + k.must, 0);
  return { sorted: keyed.slice(0, keepAtMost).map((k) => resultOf(pending[k.i])), must, total: pending.length };
}
