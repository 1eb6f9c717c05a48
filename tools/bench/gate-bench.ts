/**
 * Gate benchmark: a generated 50,000-finding Trivy report (src/scan/test-support largeReport) through the gate,
 * gate.json, summary.md, the built-in SARIF and the fit to GitHub's limits. Runs in a child process so its
 * peak RSS is its own. Functions return numbers; printing is the caller's business.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { DEFAULT_POLICY, evaluateGate } from '../nx-lucid/src/scan/gate';
import { toSarif } from '../nx-lucid/src/scan/sarif';
import { fitSarif } from '../nx-lucid/src/scan/sarif-limits';
import { markdownSummary, toOutcome } from '../nx-lucid/src/scan/summary';
import { largeReport } from '../nx-lucid/src/scan/test-support';

export interface GateBench {
  findings: number;
  /** Milliseconds per stage. */
  gateMs: number;
  summaryMs: number;
  sarifMs: number;
  fitMs: number;
  totalMs: number;
  /** Peak resident set size of the child process, MiB. */
  peakRssMiB: number;
  summaryBytes: number;
  sarifResultsKept: number;
  sarifGzippedBytes: number;
}

function measure(findings: number): GateBench {
  const report = largeReport(findings);
  const t0 = performance.now();
  const gate = evaluateGate(report, DEFAULT_POLICY);
  const t1 = performance.now();
  const outcome = toOutcome(gate, {
    project: 'bench',
    target: { kind: 'image-ref', ref: 'bench:1', digest: null },
    platforms: ['linux/amd64'],
    trivyVersion: null,
    sarif: 'built-in',
  });
  const md = markdownSummary(gate, outcome);
  JSON.stringify(outcome);
  const t2 = performance.now();
  const sarif = JSON.stringify(toSarif(report, undefined, 'bench'), null, 2);
  const t3 = performance.now();
  const { cut } = fitSarif(sarif);
  const t4 = performance.now();
  return {
    findings,
    gateMs: Math.round(t1 - t0),
    summaryMs: Math.round(t2 - t1),
    sarifMs: Math.round(t3 - t2),
    fitMs: Math.round(t4 - t3),
    totalMs: Math.round(t4 - t0),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    summaryBytes: Buffer.byteLength(md),
    sarifResultsKept: cut.kept,
    sarifGzippedBytes: cut.gzippedBytes,
  };
}

export function benchGate(findings = 50_000): GateBench {
  const r = spawnSync(process.execPath, ['-r', '@swc-node/register', __filename, '--child', String(findings)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`gate bench failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as GateBench;
}

if (process.argv[2] === '--child') console.log(JSON.stringify(measure(Number(process.argv[3]))));
