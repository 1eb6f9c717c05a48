/**
 * Test support, run as a child process whose heap the spec caps (--max-old-space-size): the scan executor's use
 * case (scanImage, a stand-in Trivy that writes a given report) on one report file, or — the control — that report
 * read whole as the executor once read it. Prints one JSON line: the gate's verdict, failing IDs and peak RSS.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyFile, makeTempDir, removePath } from '../../boundary/files';
import type { runProcess } from '../../boundary/process';
import { DEFAULT_POLICY, evaluateGate } from '../gate';
import { parseTrivyReport } from '../report';
import { scanImage } from '../scan-image';
import { memoryPuller, scanOptions, TRIVY_FIXTURES } from '../test-support';

const SBOM_FIXTURE = 'fluentd-multiple-lockfiles-short.cdx.json';

export interface BoundRun {
  passed: boolean;
  /** How many findings fail, and their distinct IDs. */
  failing: number;
  failingIds: string[];
  /** How the SARIF was made (gate.json's `sarif`), and the Trivy subcommands run (version, image, convert…). */
  sarif?: string;
  trivyCalls?: string[];
  peakRssMiB: number;
}

/**
 * The executor's scan of `report` in a fresh workspace, SARIF mode `auto` (the default: `trivy convert`, whose
 * stand-in here writes the report itself, which is no SARIF): verdict, failing IDs and SARIF source from the
 * gate.json it writes.
 */
export async function executorScan(report: string): Promise<Omit<BoundRun, 'peakRssMiB'>> {
  const ws = makeTempDir(join(tmpdir(), 'scan-bound-'));
  try {
    const trivyCalls: string[] = [];
    const run = (async (_command: string, args: string[]) => {
      trivyCalls.push(args[0]);
      if (args[0] === 'version') return { exitCode: 0, stdout: JSON.stringify({ Version: '0.58.0' }), stderr: '' };
      // The SBOM run gets a real CycloneDX output (Trivy's, recorded); the vulnerability run the report.
      const sbom = args[args.indexOf('--format') + 1] === 'cyclonedx';
      copyFile(sbom ? join(TRIVY_FIXTURES, SBOM_FIXTURE) : report, args[args.indexOf('--output') + 1]);
      return { exitCode: 0, stdout: '', stderr: '' };
    }) as unknown as typeof runProcess;
    const quiet = () => undefined;
    const options = scanOptions({ sarif: 'auto' });
    const passed = await scanImage(
      { workspaceRoot: ws, project: 'api', options },
      { env: {}, pull: memoryPuller, which: () => '/usr/bin/trivy', log: quiet, logError: quiet, run },
    );
    const gate = JSON.parse(readFileSync(join(ws, options.outputPath, 'scan', 'gate.json'), 'utf8')) as {
      failing: Array<{ id: string }>;
      sarif: string;
    };
    const failingIds = [...new Set(gate.failing.map((f) => f.id))];
    return { passed, failing: gate.failing.length, failingIds, sarif: gate.sarif, trivyCalls };
  } finally {
    removePath(ws);
  }
}

/** The control: the report read whole and parsed, then gated (what the executor did before it streamed). */
export function wholeReadGate(report: string): Omit<BoundRun, 'peakRssMiB'> {
  const gate = evaluateGate(parseTrivyReport(readFileSync(report, 'utf8'), report), DEFAULT_POLICY);
  return {
    passed: gate.passed,
    failing: gate.failing.length,
    failingIds: [...new Set(gate.failing.map((f) => f.id))],
  };
}

async function main([way, report]: string[]): Promise<void> {
  const out = way === 'whole' ? wholeReadGate(report) : await executorScan(report);
  const run: BoundRun = { ...out, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
  console.log(JSON.stringify(run));
}

if (require.main === module)
  main(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
