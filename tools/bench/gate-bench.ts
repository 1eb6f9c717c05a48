/**
 * Gate benchmark: what one scan costs after Trivy has written its report — parse, gate, gate.json, summary.md, the
 * built-in SARIF and its fit to GitHub's limits — for the median real report committed in the repo and for a
 * 50,000-finding report grown from real findings, side by side in one run. Each report runs in a child process
 * of its own, so its CPU time and peak RSS are its own. Functions return numbers; printing is the caller's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeGrownReport } from '../nx-lucid/src/scan/testing/grown-report';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const FIXTURES = resolve(__dirname, '..', 'nx-lucid', 'src', 'scan', '__fixtures__');

export interface GateRun {
  report: string;
  way: string;
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
  bigWhole: GateRun;
  floors: GateRun[];
  loadAverage: string;
}

type Report = { Results?: Array<{ Vulnerabilities?: unknown[] | null }> | null };

const countFindings = (r: Report) => (r.Results ?? []).reduce((n, x) => n + (x.Vulnerabilities?.length ?? 0), 0);

/** Every real Trivy JSON report committed for the scan specs, with its number of findings. */
export function realReports(): Array<{ file: string; findings: number }> {
  return ['trivy', 'trivy-ignore-unfixed']
    .flatMap((d) => readdirSync(join(FIXTURES, d)).map((f) => join(FIXTURES, d, f)))
    .filter((f) => f.endsWith('.json') && !f.endsWith('.cdx.json'))
    .map((file) => ({ file, findings: countFindings(JSON.parse(readFileSync(file, 'utf8')) as Report) }))
    .sort((a, b) => a.findings - b.findings || (a.file < b.file ? -1 : 1));
}

const S = '../nx-lucid/src/scan/';
/** How the child reads the report: the executor's bounded reading, or whole as the executor once read it. */
export type GateWay = 'stream' | 'whole';

/** The gate's stages on a report read one way; wall ms each. */
function pipeline(file: string, way: GateWay) {
  const { DEFAULT_POLICY, evaluateGate } = require(S + 'gate');
  const { readReportForGate } = require(S + 'report-stream');
  const { parseTrivyReport } = require(S + 'report');
  const { fittedBuiltInSarif } = require(S + 'sarif-output');
  const { toSarif } = require(S + 'sarif');
  const { fitSarif, failingResults } = require(S + 'sarif-limits');
  const { NO_IGNORES } = require(S + 'ignore-file');
  const { toOutcome } = require(S + 'summary');
  const { markdownSummary } = require(S + 'summary-markdown');
  const t0 = performance.now();
  const report = way === 'stream' ? readReportForGate(file) : parseTrivyReport(readFileSync(file, 'utf8'), file);
  const t1 = performance.now();
  const gate = evaluateGate(report, DEFAULT_POLICY);
  const t2 = performance.now();
  const info = { project: 'bench', target: { kind: 'image-ref', ref: 'bench:1', digest: null } };
  const outcome = toOutcome(gate, { ...info, platforms: ['linux/amd64'], trivyVersion: null, sarif: 'built-in' });
  const md = markdownSummary(gate, outcome);
  JSON.stringify(outcome);
  const t3 = performance.now();
  // Stream: the built-in SARIF made and fitted in one step. Whole: written whole, then parsed back and fitted.
  const { cut } =
    way === 'stream'
      ? fittedBuiltInSarif(report, NO_IGNORES, 'bench', gate)
      : fitSarif(JSON.stringify(toSarif(report, NO_IGNORES, 'bench'), null, 2) + '\n', failingResults(gate.failing));
  const t4 = performance.now();
  const ms = (a: number, b: number) => Math.round(b - a);
  return {
    findings: countFindings(report as Report),
    stages: { parseMs: ms(t0, t1), gateMs: ms(t1, t2), summaryMs: ms(t2, t3), sarifMs: ms(t3, t4) },
    summaryBytes: Buffer.byteLength(md),
    sarifResultsKept: cut.kept as number,
  };
}

/**
 * The floors: the file's bytes read; JSON.parse of its text; the reader's scanner walking every byte (no finding
 * parsed); each finding found by its indentation and JSON.parse'd (nothing checked or kept).
 */
export const FLOORS = ['bytes', 'json-parse', 'walk', 'findings'] as const;
export type Floor = (typeof FLOORS)[number];
function floor(file: string, what: Floor): number {
  const { ReportScanner, scanFile } = require(S + 'report-stream');
  if (what === 'json-parse') return (JSON.parse(readFileSync(file, 'utf8')) as Report).Results?.length ?? 0;
  let n = 0;
  if (what === 'walk') scanFile(file, new ReportScanner(() => n++, false));
  else if (what === 'findings') scanFile(file, new ReportScanner(() => n++));
  else scanFile(file, { push: (b: Buffer) => (n += b.length) });
  return n;
}

/** In the child: one way of the pipeline, or one floor, on one report file. */
function measure(file: string, way: GateWay | Floor): GateRun {
  const baselineRssMiB = Math.round(process.memoryUsage().rss / 1048576);
  // Loaded before the clock starts (and after the baseline RSS is taken).
  for (const m of ['gate', 'report-stream', 'report', 'sarif-output', 'sarif', 'sarif-limits', 'summary-markdown'])
    require(S + m);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const isFloor = (FLOORS as readonly string[]).includes(way);
  const run = isFloor ? undefined : pipeline(file, way as GateWay);
  if (isFloor) floor(file, way as Floor);
  const wallMs = Math.round(performance.now() - t0);
  const cpu = process.cpuUsage(cpu0);
  return {
    report: file,
    way,
    findings: run?.findings ?? 0,
    reportBytes: statSync(file).size,
    ...(run?.stages ?? { parseMs: 0, gateMs: 0, summaryMs: 0, sarifMs: 0 }),
    wallMs,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    baselineRssMiB,
    summaryBytes: run?.summaryBytes ?? 0,
    sarifResultsKept: run?.sarifResultsKept ?? 0,
  };
}

function runChild(file: string, way: GateWay | Floor): GateRun {
  const r = spawnSync(process.execPath, ['-r', '@swc-node/register', __filename, '--child', way, file], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`gate bench (${way}) failed on ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as GateRun;
}

/**
 * The median real report (read as the executor reads it) and a `findings`-finding grown one, read both ways, and
 * the floors on the grown one: each in its own child, in one run.
 */
export function benchGate(findings = 50_000): GateBench {
  const reports = realReports();
  const median = reports[Math.floor((reports.length - 1) / 2)];
  const dir = mkdtempSync(join(tmpdir(), 'gate-bench-'));
  try {
    const big = join(dir, `grown-${findings}.json`);
    writeGrownReport(findings, big);
    return {
      median: runChild(median.file, 'stream'),
      big: runChild(big, 'stream'),
      bigWhole: runChild(big, 'whole'),
      floors: FLOORS.map((f) => runChild(big, f)),
      loadAverage: loadavg()
        .map((l) => l.toFixed(2))
        .join(' '),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rows for the bench table: the runs, CPU beside wall, the ratio of the grown report's to the median's. */
export function gateTable(b: GateBench): string[] {
  const row = (label: string, r: GateRun) =>
    `${label.padEnd(40)} ${String(r.findings || '').padStart(7)} ${String(r.wallMs).padStart(8)} ${String(r.cpuMs).padStart(8)} ${String(r.peakRssMiB).padStart(9)}   ${r.findings ? `parse ${r.parseMs}, gate ${r.gateMs}, summary ${r.summaryMs}, SARIF fitted ${r.sarifMs}` : ''}`;
  const ratio = (a: number, c: number) => (c ? `${(a / c).toFixed(1)}x` : '-');
  const name = (f: string) => f.replace(/.*__fixtures__\//, '');
  const floorNames: Record<Floor, string> = {
    bytes: "floor: the file's bytes, 1 MiB chunks",
    'json-parse': 'floor: readFileSync + JSON.parse',
    walk: 'floor: a bare walk of every byte',
    findings: 'floor: each finding found + JSON.parse',
  };
  return [
    `${'report'.padEnd(40)} ${'finds'.padStart(7)} ${'wall ms'.padStart(8)} ${'CPU ms'.padStart(8)} ${'peak MiB'.padStart(9)}   stages (wall ms)`,
    row(`median real: ${name(b.median.report)}`, b.median),
    row('grown (juice-shop), streamed: executor', b.big),
    row('grown (juice-shop), read whole: old path', b.bigWhole),
    ...b.floors.map((f) => row(floorNames[f.way as Floor], f)),
    `${'ratio (grown streamed / median)'.padEnd(40)} ${ratio(b.big.findings, b.median.findings).padStart(7)} ${ratio(b.big.wallMs, b.median.wallMs).padStart(8)} ${ratio(b.big.cpuMs, b.median.cpuMs).padStart(8)} ${ratio(b.big.peakRssMiB, b.median.peakRssMiB).padStart(9)}`,
    `targets for the grown report: CPU <= 1000 ms, peak RSS <= 256 MiB (RSS before the report: ${b.big.baselineRssMiB} MiB, Node and the TypeScript loader); ${(b.big.reportBytes / 1e6).toFixed(0)} MB; load average ${b.loadAverage}`,
  ];
}

if (process.argv[2] === '--child') console.log(JSON.stringify(measure(process.argv[4], process.argv[3] as GateWay)));
