/**
 * The scan use case: Trivy over each platform of the built OCI layout (or a registry reference), the gate,
 * then report.json, report.sarif, summary.md and gate.json in <outputPath>/scan. Process runner, PATH lookup,
 * environment and log sinks are injected.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ARTIFACTS, writeArtifact } from '../artifacts/artifacts';
import { INSTALL_HINTS, formatCommand, runProcess, which } from '../boundary/process';
import { GateOptions } from '../config/options';
import { envValue } from '../config/resolve';
import { completeLayoutDir } from '../registry/blob-source';
import { evaluateGate, gateReportLines } from './gate';
import { IgnoreConfig, NO_IGNORES } from './ignore-file';
import { readIgnoreConfig } from './ignore-match';
import { mergePlatformReports, parseTrivyReport, TrivyReport } from './report';
import { fitSarif } from './sarif-limits';
import { markdownSummary, OUTCOME_FILE, toOutcome } from './summary';
import { linkSharedDb, platformSlug, writePlatformLayoutView } from './trivy-command';
import { printScanDryRun } from './scan-dry-run';
import { planScans } from './scan-plan';
import { readTrivyVersion, writeSarif } from './sarif-output';
import { trivyEnv } from './trivy-env';

/** The scan executor's options (its zod schema sits beside the executor). */
export interface ScanOptions {
  outputPath: string;
  platforms?: string[];
  gate: GateOptions;
  imageRef?: string;
  insecureRegistries?: string[];
  platform?: string;
  cacheDir?: string;
  dbCacheDir?: string;
  sarif: 'auto' | 'trivy' | 'built-in';
  timeoutMinutes: number;
  dryRun: boolean;
}

export interface ScanRequest {
  workspaceRoot: string;
  project: string;
  options: ScanOptions;
}

export interface ScanDeps {
  env: NodeJS.ProcessEnv;
  run: typeof runProcess;
  which: (command: string) => string | undefined | null | false;
  log: (line: string) => void;
  logError: (line: string) => void;
}

/** Report lines go to stdout/stderr as they are: people and CI logs read them verbatim. */
export const defaultScanDeps = (): ScanDeps => ({
  env: process.env,
  run: runProcess,
  which,
  log: (line) => console.log(line),
  logError: (line) => console.error(line),
});

export const DB_DIR_ENV = 'LUCID_TRIVY_DB_DIR';

/** Scans and gates; returns whether the gate passed (a dry run passes). Throws when the scan cannot run. */
export async function scanImage(req: ScanRequest, deps: ScanDeps = defaultScanDeps()): Promise<boolean> {
  const { options, project, workspaceRoot: root } = req;
  const { env, log, logError } = deps;

  const outDir = resolve(root, options.outputPath);
  const scanDir = join(outDir, 'scan');
  const cacheDir = resolve(root, options.cacheDir ?? join('.lucid', 'trivy-cache', project));
  const dbCacheDirOption = options.dbCacheDir ?? envValue(env, DB_DIR_ENV);
  const dbCacheDir = dbCacheDirOption ? resolve(root, dbCacheDirOption) : undefined;
  const sharedDb = !!dbCacheDir && existsSync(join(dbCacheDir, 'db'));
  if (dbCacheDir && !sharedDb) {
    log(`note: ${dbCacheDir}/db not found; this scan downloads its own DB into ${relative(root, cacheDir)}`);
  }
  const ignoreFile = options.gate.ignoreFile ? resolve(root, options.gate.ignoreFile) : undefined;
  const workRoot = options.dryRun
    ? join(tmpdir(), `lucid-scan-${project}-XXXXXX`)
    : mkdtempSync(join(tmpdir(), 'lucid-scan-'));
  // Trivy splits --input at the first '@' or ':' (a tag or digest); such a path would be misread.
  if (/[@:]/.test(workRoot))
    throw new Error(`temporary dir ${workRoot} contains '@' or ':', which Trivy would read as a reference; set TMPDIR`);

  try {
    // What to scan: each platform manifest of the built layout, or a registry reference.
    const { target, plans } = planScans(options, { root, outDir, workRoot, cacheDir, skipDbUpdate: sharedDb });
    if (options.dryRun) {
      printScanDryRun({
        target,
        plans,
        project,
        root,
        scanDir,
        ignoreFile,
        sharedDb,
        dbCacheDir,
        cacheDir,
        options,
        env,
        log,
      });
      return true;
    }

    if (!deps.which('trivy')) {
      throw new Error(
        `trivy is not installed (not on PATH): ${INSTALL_HINTS.trivy}. Nothing was scanned; the gate cannot pass without a scan.`,
      );
    }
    // Read the policy inputs before scanning: a broken ignore file fails fast.
    const ignores = loadIgnores(ignoreFile, root);

    // A failed scan must never leave an earlier, passing report behind.
    rmSync(scanDir, { recursive: true, force: true });
    mkdirSync(join(scanDir, 'trivy'), { recursive: true });
    mkdirSync(cacheDir, { recursive: true });
    if (sharedDb) linkSharedDb(cacheDir, dbCacheDir!);

    // Trivy gets an explicit environment: no CI token reaches it (a ghcr.io reference gets GITHUB_TOKEN only).
    const childEnv = trivyEnv(env, { imageRef: options.imageRef });
    const trivyVersion = await readTrivyVersion(deps.run, childEnv);
    const parts: Array<{ platform: string; report: TrivyReport; raw: string }> = [];
    // A slim output's base layers come from the blob store: Trivy gets a complete layout.
    const ociDir =
      target.kind === 'oci-layout' ? await completeLayoutDir(join(outDir, 'oci'), root, workRoot) : join(outDir, 'oci');
    for (const p of plans) {
      if (p.view) writePlatformLayoutView(ociDir, p.view.manifest, p.view.dir);
      log(`$ ${formatCommand('trivy', p.args)}`);
      await deps.run('trivy', p.args, { cwd: root, env: childEnv, timeoutMs: options.timeoutMinutes * 60_000 });
      if (!existsSync(p.output)) throw new Error(`trivy exited 0 but wrote no report to ${p.output}`);
      const raw = readFileSync(p.output, 'utf8');
      const label = p.platform ?? 'default';
      const report = parseTrivyReport(raw, `Trivy report for ${target.ref} (${label})`);
      writeFileSync(join(scanDir, 'trivy', `${platformSlug(label)}.json`), raw);
      parts.push({ platform: label, report, raw });
    }
    const merged = mergePlatformReports(parts);
    const reportFile = join(scanDir, 'report.json');
    // One platform: Trivy's bytes as they are. Several: the joined report.
    writeFileSync(reportFile, parts.length === 1 ? parts[0].raw : JSON.stringify(merged, null, 2) + '\n');

    const gate = evaluateGate(parts, options.gate, ignores);
    const sarifFile = join(scanDir, 'report.sarif');
    const sarifSource = await writeSarif(
      options.sarif,
      reportFile,
      sarifFile,
      ignoreFile,
      parts,
      ignores,
      trivyVersion,
      scanDir,
      deps,
      childEnv,
    );
    const fitted = fitSarif(readFileSync(sarifFile, 'utf8'));
    if (fitted.text !== undefined) writeFileSync(sarifFile, fitted.text);

    const outcome = toOutcome(gate, {
      project,
      target,
      platforms: parts.map((p) => p.platform),
      trivyVersion,
      sarif: sarifSource,
      sarifCut: fitted.cut,
    });
    writeArtifact(outDir, ARTIFACTS.gate, outcome);
    const md = markdownSummary(gate, outcome);
    writeFileSync(join(scanDir, 'summary.md'), md);
    if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, md + '\n');

    for (const line of gateReportLines(gate)) (gate.passed ? log : logError)(line);
    log(
      `wrote ${relative(root, scanDir)}/{report.json,report.sarif,summary.md,${OUTCOME_FILE}} (SARIF by ${sarifSource})`,
    );
    return gate.passed;
  } finally {
    if (!options.dryRun) rmSync(workRoot, { recursive: true, force: true });
  }
}

function loadIgnores(ignoreFile: string | undefined, root: string): IgnoreConfig {
  if (!ignoreFile) return NO_IGNORES;
  const shown = relative(root, ignoreFile);
  if (!existsSync(ignoreFile)) throw new Error(`ignore file ${shown} (gate.ignoreFile) not found`);
  return readIgnoreConfig(readFileSync(ignoreFile, 'utf8'), shown, new Date());
}
