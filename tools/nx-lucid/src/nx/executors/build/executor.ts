import type { ExecutorContext } from '@nx/devkit';
import { executeBuild, prepareBuild } from '../../../build/build';
import { dryRunReport } from '../../../build/dry-run';
import { buildSummaryLine } from '../../../build/record';
import { isDryRun } from '../../../config/dry-run';
import { ExecutorSpec, runExecutor } from '../run-executor';
import { schema } from './options';

const spec: ExecutorSpec<typeof schema> = { name: 'build', schema, project: 'named' };

export default async function buildExecutor(
  rawOptions: unknown,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return runExecutor(spec, rawOptions, context, async (run) => {
    const { project, workspaceRoot } = run;
    const options = { ...run.options, dryRun: isDryRun(run.options, run.env) };
    const request = {
      workspaceRoot,
      project,
      projectRoot: run.projectRoot,
      tags: run.tags,
      options,
      env: run.env,
      log: run.log,
      verbose: run.context.isVerbose || run.env.NX_VERBOSE_LOGGING === 'true',
    };
    const prepared = await prepareBuild(request);
    if (options.dryRun) {
      for (const line of dryRunReport(project, workspaceRoot, options.outputPath, prepared)) run.print(line);
      return true;
    }
    const metadata = await executeBuild(request, prepared);
    run.log(buildSummaryLine(metadata, options.outputPath));
    return true;
  });
}
