/**
 * Every output the scan writes after Trivy — gate.json, summary.md, the built-in SARIF and its fit to GitHub's
 * limits — for one real report, as one text per output. The pipeline-equivalence spec pins their digests so a
 * change of how reports are read (streaming, bounded memory) is proven to write the same bytes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { evaluateGate, GatePolicy, GateResult, DEFAULT_POLICY } from '../gate';
import { IgnoreConfig, NO_IGNORES, parseIgnoreFile, plainIgnoreConfig } from '../ignore-file';
import { parseTrivyReport, TrivyReport } from '../report';
import { readReportForGate } from '../report-stream';
import { toSarif } from '../sarif';
import { failingResults, fitSarif, GITHUB_SARIF_LIMITS, SarifLimits } from '../sarif-limits';
import { fittedBuiltInSarif } from '../sarif-output';
import { toOutcome } from '../summary';
import { markdownSummary } from '../summary-markdown';

export interface PipelineCase {
  name: string;
  policy: GatePolicy;
  /** Ignore the report's first vulnerability ID (so the ignored paths are exercised). */
  ignoreFirst: boolean;
}

export const PIPELINE_CASES: PipelineCase[] = [
  { name: 'default', policy: DEFAULT_POLICY, ignoreFirst: false },
  { name: 'unfixed+ignore', policy: { ...DEFAULT_POLICY, ignoreUnfixed: true }, ignoreFirst: true },
];

function ignoresFor(text: string, ignoreFirst: boolean): IgnoreConfig {
  if (!ignoreFirst) return NO_IGNORES;
  const id = /"VulnerabilityID":\s*"([^"]+)"/.exec(text)?.[1];
  if (!id) return NO_IGNORES;
  return plainIgnoreConfig(parseIgnoreFile(`${id} exp:2999-01-01\n`), new Date(0), '.trivyignore');
}

type FitInput = { report: TrivyReport; ignores: IgnoreConfig; gate: GateResult; pretty: string; limits: SarifLimits };
/**
 * How the pipeline reads the report and fits the SARIF: whole (the SARIF written, parsed back and fitted), or as
 * the executor does (read in bounded memory; the SARIF made and fitted in one step, only kept results made).
 */
export interface PipelineWay {
  read: (file: string) => TrivyReport;
  fit: (input: FitInput) => ReturnType<typeof fitSarif>;
}
export const WHOLE: PipelineWay = {
  read: (file) => parseTrivyReport(readFileSync(file, 'utf8'), file),
  fit: ({ gate, pretty, limits }) => fitSarif(pretty, failingResults(gate.failing), limits),
};
export const BOUNDED: PipelineWay = {
  read: (file) => readReportForGate(file),
  fit: ({ report, ignores, gate, pretty, limits }) => {
    const { text, cut } = fittedBuiltInSarif(report, ignores, '0.50.0', gate, limits);
    // Written as it is when it fits (fitSarif then returns no text).
    return { text: cut.leftOut === 0 && text === pretty ? undefined : text, cut };
  },
};

/** The outputs for one report file and case, each named. */
export function pipelineOutputs(file: string, c: PipelineCase, way = WHOLE): Record<string, string> {
  const text = readFileSync(file, 'utf8');
  const report = way.read(file);
  const ignores = ignoresFor(text, c.ignoreFirst);
  const gate = evaluateGate(report, c.policy, ignores);
  const log = toSarif(report, ignores, '0.50.0');
  // As the executor writes it: indented, with a final newline.
  const sarif = JSON.stringify(log, null, 2) + '\n';
  const small = { ...GITHUB_SARIF_LIMITS, resultsPerRun: 3, gzippedBytes: 2_000 };
  const fitted = way.fit({ report, ignores, gate, pretty: sarif, limits: small });
  const outcome = toOutcome(gate, {
    project: 'api',
    target: { kind: 'image-ref', ref: 'registry.example/api:1', digest: null },
    platforms: ['linux/amd64'],
    trivyVersion: '0.50.0',
    sarif: 'built-in',
    sarifCut: fitted.cut,
  });
  return {
    gate: gate.passed ? 'pass' : 'fail',
    gateJson: JSON.stringify(outcome, null, 2),
    summary: markdownSummary(gate, outcome),
    summarySmall: markdownSummary(gate, outcome, 1_500),
    sarif,
    sarifFitted: fitted.text ?? '',
    sarifCut: JSON.stringify(fitted.cut),
  };
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

/** One digest per output (and the gate's decision in clear), for the golden file. */
export function pipelineDigests(file: string, c: PipelineCase, way = WHOLE): Record<string, string> {
  const out = pipelineOutputs(file, c, way);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, k === 'gate' ? v : sha(v)]));
}
