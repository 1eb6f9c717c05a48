/**
 * The verify use case: check a build output (metadata.json + OCI layout) against the policy, offline, and
 * write verify.json. The environment and the log sinks are injected.
 */
import { join } from 'node:path';
import { ARTIFACTS, writeArtifact } from '../artifacts/artifacts';
import { ENV_OVERRIDES, resolveConfig } from '../config/resolve';
import { readBuildMetadata } from '../artifacts/metadata';
import { openCompleteLayout } from '../registry/blob-source';
import { Finding, formatFinding } from './checks';
import { verifyImage, VerifyPolicy } from './verify-image';

/** The verify executor's options (its zod schema sits beside the executor). */
export interface VerifyOptions {
  outputPath: string;
  repository?: string;
  platforms: string[];
  forbiddenPaths: string[];
  additionalForbiddenPaths: string[];
  requiredLabels: string[];
  sourceRepository?: string;
  dryRun: boolean;
}

export interface VerifyDeps {
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  logError: (line: string) => void;
}

/** The policy the options describe, with LUCID_PLATFORMS and LUCID_REPOSITORY applied as the build applies them. */
export function verifyPolicy(options: VerifyOptions, env: NodeJS.ProcessEnv): VerifyPolicy {
  const { platforms, repository } = resolveConfig(
    { platforms: options.platforms, repository: options.repository },
    env,
  );
  const named = options.repository || env[ENV_OVERRIDES.repository];
  const sourceRepository = options.sourceRepository ?? (named ? `https://github.com/${repository}` : undefined);
  if (!sourceRepository) {
    throw new Error(
      'Invalid @lucid/nx-lucid:verify options: set sourceRepository (e.g. https://github.com/acme/shop) or repository',
    );
  }
  return {
    platforms,
    forbiddenPaths: [...new Set([...options.forbiddenPaths, ...options.additionalForbiddenPaths])],
    requiredLabels: options.requiredLabels,
    sourceRepository,
  };
}

/** Verifies and records; returns whether the image passed. Throws when there is nothing to verify. */
export async function verifyBuildOutput(
  workspaceRoot: string,
  options: VerifyOptions,
  deps: VerifyDeps,
): Promise<boolean> {
  const { log, logError } = deps;
  const policy = verifyPolicy(options, deps.env);
  const metadata = readBuildMetadata(workspaceRoot, options.outputPath);
  const layout = await openCompleteLayout(join(workspaceRoot, options.outputPath, metadata.layout), workspaceRoot);
  const report = await verifyImage(layout, policy);
  const findings: Finding[] = [...report.findings];
  if (report.index !== metadata.index.digest) {
    // A build output whose parts disagree was not produced by one build: do not vouch for it.
    findings.unshift({
      check: 'layout',
      message: `${options.outputPath}/metadata.json names index ${metadata.index.digest} but the OCI layout holds ${report.index}; rebuild`,
    });
  }
  const success = findings.length === 0;

  log(
    `Verifying ${metadata.image}@${report.index} (${report.platforms.map((p) => p.platform).join(', ') || 'no platforms'})`,
  );
  for (const p of report.platforms) {
    log(`  ${p.platform}: ${p.layers.length} layer(s), ${p.paths} path(s), user ${p.user ?? '(unset)'}`);
  }
  if (options.dryRun) {
    log(`[dry-run] would write ${join(options.outputPath, ARTIFACTS.verify.file)}`);
  } else {
    writeArtifact(join(workspaceRoot, options.outputPath), ARTIFACTS.verify, {
      schemaVersion: 1,
      project: metadata.project,
      image: metadata.image,
      index: report.index,
      policy: {
        ...policy,
        platforms: [...policy.platforms],
        forbiddenPaths: [...policy.forbiddenPaths],
        requiredLabels: [...policy.requiredLabels],
      },
      platforms: report.platforms,
      findings,
      success,
    });
  }
  if (success) {
    log(`✔ ${metadata.project}: distroless, non-root, labelled, ${policy.platforms.join(' + ')} present`);
  } else {
    logError(`✖ ${metadata.project}: ${findings.length} finding(s):`);
    for (const f of findings) logError(`  - ${formatFinding(f)}`);
  }
  return success;
}
