import type { ExecutorContext } from '@nx/devkit';
import { createProjectGraphAsync, logger } from '@nx/devkit';
import { checkIsolation } from '../../../isolation/check-isolation';
import { ExecutorSpec, runExecutor } from '../run-executor';
import { schema } from './options';

const spec: ExecutorSpec<typeof schema> = { name: 'isolation', schema, project: 'optional' };

export default async function isolationExecutor(
  rawOptions: unknown,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return runExecutor(spec, rawOptions, context, async (run) => {
    // The graph Nx already built for this run carries the plugin's Dockerfile-derived edges.
    const projectGraph = context.projectGraph ?? (await createProjectGraphAsync({ exitOnError: false }));
    return checkIsolation(projectGraph, run.options.rules, {
      log: run.print,
      warn: (l) => logger.warn(l),
      logError: run.logError,
    });
  });
}
