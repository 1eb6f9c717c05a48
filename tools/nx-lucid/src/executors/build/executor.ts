import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { executeBuild, prepareBuild } from '../../image-build/build';
import { dryRunReport } from '../../image-build/dry-run';
import { buildSummaryLine } from '../../image-build/record';
import { parseOptionsWith } from '../../config/options';
import { BuildExecutorOptions, schema } from './options';

export function parseBuildOptions(raw: unknown): BuildExecutorOptions {
  return parseOptionsWith(schema, raw, 'build');
}

export default async function buildExecutor(rawOptions: unknown, context: ExecutorContext): Promise<{ success: boolean }> {
  const project = context.projectName;
  try {
    if (!project) throw new Error('@lucid/nx-lucid:build needs a project');
    const options = parseBuildOptions(rawOptions);
    const config = context.projectsConfigurations?.projects[project];
    const request = {
      workspaceRoot: context.root,
      project,
      projectRoot: config?.root ?? '.',
      tags: config?.tags ?? [],
      options,
      env: process.env,
      log: (line: string) => logger.info(`[${project}] ${line}`),
    };
    const prepared = await prepareBuild(request);
    if (options.dryRun) {
      for (const line of dryRunReport(project, context.root, options.outputPath, prepared)) logger.info(line);
      return { success: true };
    }
    const metadata = await executeBuild(request, prepared);
    logger.info(buildSummaryLine(metadata, options.outputPath));
    return { success: true };
  } catch (e) {
    logger.error(e instanceof Error ? e.message : String(e));
    return { success: false };
  }
}
