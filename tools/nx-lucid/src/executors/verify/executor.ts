import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readBuildMetadata } from '../../metadata/metadata';
import { openCompleteLayout } from '../../oci/blob-source';
import { applyEnvOverrides, parseOptionsWith, normalizePluginOptions } from '../../config/options';
import { Finding, formatFinding } from '../../verify/checks';
import { verifyImage, VerifyPolicy } from '../../verify/verify-image';
import { schema, VerifyExecutorOptions } from './options';

export const VERIFY_FILE = 'verify.json';

export function parseVerifyOptions(raw: unknown): VerifyExecutorOptions {
  return parseOptionsWith(schema, raw, 'verify');
}

/** The policy the options describe, with LUCID_PLATFORMS applied as the build applies it. */
export function verifyPolicy(options: VerifyExecutorOptions, env: NodeJS.ProcessEnv): VerifyPolicy {
  const platforms = applyEnvOverrides(normalizePluginOptions({ platforms: options.platforms }), env).platforms;
  const sourceRepository = options.sourceRepository ?? (options.repository ? `https://github.com/${options.repository}` : undefined);
  if (!sourceRepository) {
    throw new Error('Invalid @lucid/nx-lucid:verify options: set sourceRepository (e.g. https://github.com/hamigames/lucid) or repository');
  }
  return {
    platforms,
    forbiddenPaths: [...new Set([...options.forbiddenPaths, ...options.additionalForbiddenPaths])],
    requiredLabels: options.requiredLabels,
    sourceRepository,
  };
}

export default async function verifyExecutor(rawOptions: unknown, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const options = parseVerifyOptions(rawOptions);
    const policy = verifyPolicy(options, process.env);
    const metadata = readBuildMetadata(context.root, options.outputPath);
    const layout = await openCompleteLayout(join(context.root, options.outputPath, metadata.layout), context.root);
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
    const result = {
      schemaVersion: 1,
      project: metadata.project,
      image: metadata.image,
      index: report.index,
      policy,
      platforms: report.platforms,
      findings,
      success,
    };

    logger.info(`Verifying ${metadata.image}@${report.index} (${report.platforms.map((p) => p.platform).join(', ') || 'no platforms'})`);
    for (const p of report.platforms) {
      logger.info(`  ${p.platform}: ${p.layers.length} layer(s), ${p.paths} path(s), user ${p.user ?? '(unset)'}`);
    }
    const file = join(options.outputPath, 'verify.json');
    if (options.dryRun) {
      logger.info(`[dry-run] would write ${file}`);
    } else {
      const out = join(context.root, file);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    }
    if (success) {
      logger.info(`✔ ${metadata.project}: distroless, non-root, labelled, ${policy.platforms.join(' + ')} present`);
    } else {
      logger.error(`✖ ${metadata.project}: ${findings.length} finding(s):`);
      for (const f of findings) logger.error(`  - ${formatFinding(f)}`);
    }
    return { success };
  } catch (e) {
    logger.error(`@lucid/nx-lucid:verify (${context.projectName ?? 'unknown project'}): ${(e as Error).message}`);
    return { success: false };
  }
}
