/**
 * The scan use case: Trivy over each platform of the built OCI layout (or a registry reference), the gate,
 * then report.json, report.sarif, summary.md and gate.json in <outputPath>/scan. Process runner, PATH lookup,
 * environment and log sinks are injected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ARTIFACTS, writeArtifact } from '../artifacts/artifacts';
import { appendText, copyFileAtomic, ensureDir, makeTempDir, removePath, writeFileAtomic } from '../boundary/files';
import { INSTALL_HINTS, formatCommand, runProcess, which } from '../boundary/process';
import { envValue } from '../config/resolve';
import { trivyVersionProblem } from '../config/trivy-versions';
import { completeLayoutDir } from '../registry/blob-source';
import { evaluateGate, gateReportLines, GateResult } from './gate';
import { IgnoreConfig, NO_IGNORES } from './ignore-file';
import { readIgnoreConfig } from './ignore-match';
import { TrivyReport } from './report';
import { writeMergedReport } from './report-merge';
import { readReportForGate } from './report-stream';
import { OUTCOME_FILE, ScanOutcome, toOutcome } from './summary';
import { markdownSummary } from './summary-markdown';
import {
  linkSharedDb,
  platformSlug,
  trivyIsolation,
  writePlatformLayoutView,
  writeTrivyIsolation,
} from './trivy-command';
import { printScanDryRun } from './scan-dry-run';
import { PlannedScan, planScans, pulledLayoutDir, requestedPlatforms } from './scan-plan';
import { PulledImage, registryPuller } from './pull-image';
import { readTrivyVersion, writeSarif } from './sarif-output';
import { trivyEnv } from './trivy-env';
import type { ScanDeps, ScanOptions, ScanRequest } from './scan-types';
import { verifyScanLayout } from './verify-layout';
import { indexSbom, parseTrivySbom, PlatformImage } from './sbom';
import { SBOM_FILE, type CycloneDx } from '../artifacts/sbom';

export type { ScanDeps, ScanOptions, ScanRequest } from './scan-types';

/** Report lines go to stdout/stderr as they are: people and CI logs read them verbatim. */
export const defaultScanDeps = (): ScanDeps => ({
  env: process.env,
  run: runProcess,
  which,
  log: (line) => console.log(line),
  logError: (line) => console.error(line),
});

export const DB_DIR_ENV = 'LUCID_TRIVY_DB_DIR';

/** Where one scan reads and writes. */
interface ScanPlaces {
  root: string;
  outDir: string;
  scanDir: string;
  cacheDir: string;
  dbCacheDir?: string;
  sharedDb: boolean;
  ignoreFile?: string;
  workRoot: string;
}

/** One platform's report: read for the gate in bounded memory; `file` is Trivy's output, kept until the outputs are written. */
type PlatformPart = {
  platform: string;
  report: TrivyReport;
  file: string;
  /** Trivy's CycloneDX output for this platform, with the manifest it describes. */
  sbom: { bom: CycloneDx; where: PlatformImage; file: string };
};

function scanPlaces({ options, project, workspaceRoot: root }: ScanRequest, { env, log }: ScanDeps): ScanPlaces {
  const outDir = resolve(root, options.outputPath);
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
    : makeTempDir(join(tmpdir(), 'lucid-scan-'));
  // Trivy splits --input at the first '@' or ':' (a tag or digest); such a path would be misread.
  if (/[@:]/.test(workRoot))
    throw new Error(`temporary dir ${workRoot} contains '@' or ':', which Trivy would read as a reference; set TMPDIR`);
  return { root, outDir, scanDir: join(outDir, 'scan'), cacheDir, dbCacheDir, sharedDb, ignoreFile, workRoot };
}

/** Scans and gates; returns whether the gate passed (a dry run passes). Throws when the scan cannot run. */
export async function scanImage(req: ScanRequest, deps: ScanDeps = defaultScanDeps()): Promise<boolean> {
  const { options, project } = req;
  const places = scanPlaces(req, deps);
  try {
    if (options.dryRun) {
      // What to scan: each platform manifest of the built layout, or of the reference (pulled by a real run).
      const { target, plans } = planScans(options, { ...places, skipDbUpdate: places.sharedDb });
      printScanDryRun({ ...places, target, plans, project, options, env: deps.env, log: deps.log });
      return true;
    }
    const ignores = prepareScan(places, deps);
    // Trivy gets an explicit environment: no credential, no TRIVY_* that filters.
    const childEnv = trivyEnv(deps.env);
    const trivyVersion = await checkedTrivyVersion(deps, childEnv);
    const pulled = options.imageRef ? await pullForScan(options, places, deps) : undefined;
    const planned = planScans(options, { ...places, skipDbUpdate: places.sharedDb, pulled });
    const parts = await runScans(req, places, planned, deps, childEnv, pulled);
    writeSbom(places, planned, parts);
    const gate = evaluateGate(parts, options.gate, ignores);
    const info = { project, target: planned.target, platforms: parts.map((p) => p.platform), trivyVersion };
    return await writeScanOutputs(req, places, { parts, gate, ignores, info }, deps, childEnv);
  } finally {
    if (!options.dryRun) removePath(places.workRoot);
  }
}

/** Checks that can fail before anything is scanned, then a clean scan dir (no earlier, passing report left). */
function prepareScan(places: ScanPlaces, deps: ScanDeps): IgnoreConfig {
  if (!deps.which('trivy')) {
    throw new Error(
      `trivy is not installed (not on PATH): ${INSTALL_HINTS.trivy}. Nothing was scanned; the gate cannot pass without a scan.`,
    );
  }
  // Read the policy inputs before scanning: a broken ignore file fails fast.
  const ignores = loadIgnores(places.ignoreFile, places.root);
  removePath(places.scanDir);
  ensureDir(join(places.scanDir, 'trivy'));
  ensureDir(places.cacheDir);
  if (places.sharedDb) linkSharedDb(places.cacheDir, places.dbCacheDir!);
  writeTrivyIsolation(trivyIsolation(places.workRoot));
  return ignores;
}

/** Trivy's version, refused when it is a compromised release or older than the flags the scan passes. */
async function checkedTrivyVersion(deps: ScanDeps, env: NodeJS.ProcessEnv): Promise<string | null> {
  const version = await readTrivyVersion(deps.run, env);
  const problem = version === null ? undefined : trivyVersionProblem(version);
  if (problem) throw new Error(`${problem}. Nothing was scanned.`);
  return version;
}

/** A scan by reference: our registry client pulls what Trivy will read (it never reaches the registry itself). */
async function pullForScan(options: ScanOptions, places: ScanPlaces, deps: ScanDeps): Promise<PulledImage> {
  const pull = deps.pull ?? registryPuller(deps.env);
  const dir = pulledLayoutDir(places.workRoot);
  deps.log(`pulling ${options.imageRef} into ${dir} (our registry client; Trivy gets no credential)`);
  const want = { platforms: requestedPlatforms(options), insecureRegistries: options.insecureRegistries ?? [] };
  return pull(options.imageRef!, want, dir);
}

/**
 * One Trivy run per planned platform, in its private working dir; each report read in bounded memory (never whole)
 * and copied as written.
 */
async function runScans(
  { options, workspaceRoot: root }: ScanRequest,
  places: ScanPlaces,
  { target, plans, image }: { target: ScanOutcome['target']; plans: PlannedScan[]; image: string },
  deps: ScanDeps,
  env: NodeJS.ProcessEnv,
  pulled: PulledImage | undefined,
): Promise<PlatformPart[]> {
  const ociDir = join(places.outDir, 'oci');
  // What Trivy reads must be what was built: every blob a regular file with the bytes of its digest. (A pulled
  // image's digests were checked as it was pulled.)
  if (!pulled) verifyScanLayout(ociDir, root);
  // A slim output's base layers come from the blob store: Trivy gets a complete layout.
  const layoutDir = pulled ? pulled.layoutDir : await completeLayoutDir(ociDir, root, places.workRoot);
  const { cwd } = trivyIsolation(places.workRoot);
  const parts: PlatformPart[] = [];
  for (const p of plans) {
    if (p.view) writePlatformLayoutView(layoutDir, p.view.manifest, p.view.dir);
    deps.log(`$ ${formatCommand('trivy', p.args)}`);
    await deps.run('trivy', p.args, { cwd, env, timeoutMs: options.timeoutMinutes * 60_000 });
    if (!existsSync(p.output)) throw new Error(`trivy exited 0 but wrote no report to ${p.output}`);
    const label = p.platform ?? 'default';
    const report = readReportForGate(p.output, `Trivy report for ${target.ref} (${label})`);
    copyFileAtomic(p.output, join(places.scanDir, 'trivy', `${platformSlug(label)}.json`));
    const where = { platform: label, image, manifestDigest: p.view?.manifest.digest ?? null };
    parts.push({ platform: label, report, file: p.output, sbom: await runSbom(p, where, { cwd, env, options }, deps) });
  }
  return parts;
}

/** The SBOM run of one platform: Trivy's CycloneDX output, checked to be CycloneDX. */
async function runSbom(
  p: PlannedScan,
  where: PlatformImage,
  { cwd, env, options }: { cwd: string; env: NodeJS.ProcessEnv; options: ScanOptions },
  deps: ScanDeps,
): Promise<PlatformPart['sbom']> {
  deps.log(`$ ${formatCommand('trivy', p.sbom.args)}`);
  await deps.run('trivy', p.sbom.args, { cwd, env, timeoutMs: options.timeoutMinutes * 60_000 });
  const shown = `trivy --format cyclonedx output for ${where.platform} (${p.sbom.output})`;
  if (!existsSync(p.sbom.output)) throw new Error(`${shown}: trivy exited 0 but wrote no SBOM`);
  return { bom: parseTrivySbom(readFileSync(p.sbom.output, 'utf8'), shown), where, file: shown };
}

/** scan/sbom.cdx.json: one CycloneDX SBOM of the image index, every platform named (artifacts/sbom.ts). */
function writeSbom(
  places: ScanPlaces,
  planned: { target: ScanOutcome['target']; image: string },
  parts: PlatformPart[],
) {
  const sbom = indexSbom(
    planned.image,
    planned.target.digest,
    parts.map((p) => p.sbom),
  );
  writeArtifact(places.outDir, ARTIFACTS.sbom, sbom);
}

interface ScanResults {
  parts: PlatformPart[];
  gate: GateResult;
  ignores: IgnoreConfig;
  info: Pick<ScanOutcome, 'project' | 'target' | 'platforms' | 'trivyVersion'>;
}

/** report.json, report.sarif (cut to GitHub's limits), gate.json, summary.md; the verdict printed. */
async function writeScanOutputs(
  { options, workspaceRoot: root }: ScanRequest,
  places: ScanPlaces,
  { parts, gate, ignores, info }: ScanResults,
  deps: ScanDeps,
  childEnv: NodeJS.ProcessEnv,
): Promise<boolean> {
  const { scanDir, outDir } = places;
  const reportFile = join(scanDir, 'report.json');
  // One platform: Trivy's bytes as they are. Several: the joined report, written as it is read.
  if (parts.length === 1) copyFileAtomic(parts[0].file, reportFile);
  else writeMergedReport(parts, reportFile);
  const sarifFile = join(scanDir, 'report.sarif');
  const { source: sarifSource, cut } = await writeSarif(
    { mode: options.sarif, reportFile, sarifFile, ignoreFile: places.ignoreFile, parts, ignores, gate },
    { trivyVersion: info.trivyVersion, isolation: trivyIsolation(places.workRoot) },
    deps,
    childEnv,
  );

  const outcome = toOutcome(gate, { ...info, sarif: sarifSource, sarifCut: cut });
  writeArtifact(outDir, ARTIFACTS.gate, outcome);
  const md = markdownSummary(gate, outcome);
  writeFileAtomic(join(scanDir, 'summary.md'), md);
  if (deps.env.GITHUB_STEP_SUMMARY) appendText(deps.env.GITHUB_STEP_SUMMARY, md + '\n');

  for (const line of gateReportLines(gate)) (gate.passed ? deps.log : deps.logError)(line);
  deps.log(
    `wrote ${relative(root, scanDir)}/{report.json,report.sarif,summary.md,${OUTCOME_FILE},${SBOM_FILE}} (SARIF by ${sarifSource})`,
  );
  return gate.passed;
}

function loadIgnores(ignoreFile: string | undefined, root: string): IgnoreConfig {
  if (!ignoreFile) return NO_IGNORES;
  const shown = relative(root, ignoreFile);
  if (!existsSync(ignoreFile)) throw new Error(`ignore file ${shown} (gate.ignoreFile) not found`);
  return readIgnoreConfig(readFileSync(ignoreFile, 'utf8'), shown, new Date());
}
