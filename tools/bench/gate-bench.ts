/**
 * Gate benchmark: what one scan costs after Trivy has written its report — parse, gate, gate.json, summary.md, the
 * built-in SARIF and its fit to GitHub's limits — for the median real report committed in the repo and for a
 * 50,000-finding report grown from real findings, side by side in one run. Each report runs in a child process
 * of its own, so its CPU time and peak RSS are its own. Functions return numbers; printing is the caller's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeGrownReport } from '../nx-lucid/src/scan/grown-report';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const FIXTURES = resolve(__dirname, '..', 'nx-lucid', 'src', 'scan', '__fixtures__');

export interface GateRun {
  report: string;
  findings: number;
  reportBytes: number;
  /** Wall milliseconds per stage, and in all. */
  parseMs: number;
  gateMs: number;
  summaryMs: number;
  /** The built-in SARIF, fitted to GitHub's limits. */
  sarifMs: number;
  wallMs: number;
  /** User + system CPU milliseconds of the whole pipeline. */
  cpuMs: number;
  /** Peak resident set size of the child (Node and the TypeScript loader included), and before the report. */
  peakRssMiB: number;
  baselineRssMiB: number;
  summaryBytes: number;
  sarifResultsKept: number;
}

export interface GateBench {
  median: GateRun;
  big: GateRun;
  loadAverage: string;
}

type Report = { Results?: Array<{ Vulnerabilities?: unknown[] | null }> | null };

const countFindings = (r: Report) => (r.Results ?? []).reduce((n, x) => n + (x.Vulnerabilities?.length ?? 0), 0);

/** Every real Trivy JSON report committed for the scan specs, with its number of findings. */
export function realReports(): Array<{ file: string; findings: number }> {
  return ['trivy', 'trivy-ignore-unfixed']
    .flatMap((d) => readdirSync(join(FIXTURES, d)).map((f) => join(FIXTURES, d, f)))
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, findings: countFindings(JSON.parse(readFileSync(file, 'utf8')) as Report) }))
    .sort((a, b) => a.findings - b.findings || (a.file < b.file ? -1 : 1));
}

/** In the child: the pipeline the scan executor runs after Trivy, on one report file. */
function measure(file: string): GateRun {
  const baselineRssMiB = Math.round(process.memoryUsage().rss / 1048576);
  // Loaded after the baseline RSS is taken.
  const { DEFAULT_POLICY, evaluateGate } = require('../nx-lucid/src/scan/gate');
  const { readReportForGate } = require('../nx-lucid/src/scan/report-stream');
  const { fittedBuiltInSarif } = require('../nx-lucid/src/scan/sarif-output');
  const { NO_IGNORES } = require('../nx-lucid/src/scan/ignore-file');
  const { toOutcome } = require('../nx-lucid/src/scan/summary');
  const { markdownSummary } = require('../nx-lucid/src/scan/summary-markdown');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = readReportForGate(file);
  const t1 = performance.now();
  const gate = evaluateGate(report, DEFAULT_POLICY);
  const t2 = performance.now();
  const outcome = toOutcome(gate, {
    project: 'bench',
    target: { kind: 'image-ref', ref: 'bench:1', digest: null },
    platforms: ['linux/amd64'],
    trivyVersion: null,
    sarif: 'built-in',
  });
  const md = markdownSummary(gate, outcome);
  JSON.stringify(outcome);
  const t3 = performance.now();
  // The built-in SARIF, built and fitted to GitHub's limits in one step (no whole text to parse back).
  const { cut } = fittedBuiltInSarif(report, NO_IGNORES, 'bench', gate);
  const t4 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  return {
    report: file,
    findings: countFindings(report as Report),
    reportBytes: statSync(file).size,
    parseMs: Math.round(t1 - t0),
    gateMs: Math.round(t2 - t1),
    summaryMs: Math.round(t3 - t2),
    sarifMs: Math.round(t4 - t3),
    wallMs: Math.round(t4 - t0),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    baselineRssMiB,
    summaryBytes: Buffer.byteLength(md),
    sarifResultsKept: cut.kept,
  };
}

function runChild(file: string): GateRun {
  const r = spawnSync(process.execPath, ['-r', '@swc-node/register', __filename, '--child', file], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`gate bench failed on ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as GateRun;
}

/** The median real report and a `findings`-finding grown one, each in its own child, in one run. */
export function benchGate(findings = 50_000): GateBench {
  const reports = realReports();
  const median = reports[Math.floor((reports.length - 1) / 2)];
  const dir = mkdtempSync(join(tmpdir(), 'gate-bench-'));
  try {
    const big = join(dir, `grown-${findings}.json`);
    writeGrownReport(findings, big);
    return {
      median: runChild(median.file),
      big: runChild(big),
      loadAverage: loadavg()
        .map((l) => l.toFixed(2))
        .join(' '),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rows for the bench table: the two runs and their ratio, CPU beside wall. */
export function gateTable(b: GateBench): string[] {
  const row = (label: string, r: GateRun) =>
    `${label.padEnd(34)} ${String(r.findings).padStart(7)} ${String(r.wallMs).padStart(8)} ${String(r.cpuMs).padStart(8)} ${String(r.peakRssMiB).padStart(9)}   parse ${r.parseMs}, gate ${r.gateMs}, summary ${r.summaryMs}, SARIF fitted ${r.sarifMs}`;
  const ratio = (a: number, c: number) => (c ? `${(a / c).toFixed(1)}x` : '-');
  const name = (f: string) => f.replace(/.*__fixtures__\//, '');
  return [
    `${'report'.padEnd(34)} ${'finds'.padStart(7)} ${'wall ms'.padStart(8)} ${'CPU ms'.padStart(8)} ${'peak MiB'.padStart(9)}   stages (wall ms)`,
    row(`median real: ${name(b.median.report)}`, b.median),
    row(`grown from juice-shop's findings`, b.big),
    `${'ratio (grown / median)'.padEnd(34)} ${ratio(b.big.findings, b.median.findings).padStart(7)} ${ratio(b.big.wallMs, b.median.wallMs).padStart(8)} ${ratio(b.big.cpuMs, b.median.cpuMs).padStart(8)} ${ratio(b.big.peakRssMiB, b.median.peakRssMiB).padStart(9)}`,
    `targets for the grown report: CPU <= 1000 ms, peak RSS <= 256 MiB (RSS before the report: ${b.big.baselineRssMiB} MiB); load average ${b.loadAverage}`,
  ];
}

if (process.argv[2] === '--child') console.log(JSON.stringify(measure(process.argv[3])));
