/** A scan's --dry-run: exactly the Trivy commands and files a real run would make, nothing run or written. */
import { join, relative } from 'node:path';
import { formatCommand } from '../boundary/process';
import type { ScanOptions } from './scan-types';
import { PlannedScan, pulledLayoutDir, requestedPlatforms } from './scan-plan';
import { OUTCOME_FILE, ScanOutcome } from './summary';
import { SBOM_FILE } from '../artifacts/sbom';
import { trivyConvertArgs, trivyIsolation } from './trivy-command';

export interface ScanDryRun {
  target: ScanOutcome['target'];
  plans: PlannedScan[];
  project: string;
  root: string;
  scanDir: string;
  ignoreFile?: string;
  sharedDb: boolean;
  workRoot: string;
  dbCacheDir?: string;
  cacheDir: string;
  options: Pick<ScanOptions, 'sarif' | 'imageRef' | 'platform' | 'platforms'>;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

export function printScanDryRun(d: ScanDryRun): void {
  const { target, plans, project, root, scanDir, ignoreFile, sharedDb, dbCacheDir, cacheDir, options, env, log } = d;
  const isolation = trivyIsolation(d.workRoot);
  log(`dry run: would scan ${target.ref}${target.digest ? ` (${target.digest})` : ''} for ${project}`);
  log(
    `would run Trivy in the empty dir ${isolation.cwd} with an empty --config and --ignorefile, every severity (no trivy.yaml, .trivyignore or TRIVY_* filter applies)`,
  );
  if (options.imageRef)
    log(
      `would pull ${options.imageRef} (${requestedPlatforms(options)
        .map((p) => p ?? 'default platform')
        .join(', ')}) into ${pulledLayoutDir(d.workRoot)} with our registry client, then scan that layout`,
    );
  if (sharedDb) log(`would link ${dbCacheDir}/db into ${cacheDir} (read-only shared DB)`);
  for (const p of plans) {
    if (p.view)
      log(`would write a one-platform OCI layout view ${p.view.dir} → ${p.view.manifest.digest} (${p.platform})`);
    log(formatCommand('trivy', p.args));
    log(formatCommand('trivy', p.sbom.args));
  }
  if (options.sarif !== 'built-in') {
    log(
      formatCommand(
        'trivy',
        trivyConvertArgs(join(scanDir, 'report.json'), join(scanDir, 'report.sarif'), isolation, ignoreFile),
      ),
    );
  }
  log(
    `would write ${relative(root, scanDir)}/{report.json,report.sarif,summary.md,${OUTCOME_FILE},${SBOM_FILE}}${env.GITHUB_STEP_SUMMARY ? ' and append to $GITHUB_STEP_SUMMARY' : ''}`,
  );
}
