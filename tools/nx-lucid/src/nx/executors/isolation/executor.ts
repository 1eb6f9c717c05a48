import type { ExecutorContext } from '@nx/devkit';
import { createProjectGraphAsync, logger } from '@nx/devkit';
import { checkIsolation } from '../../../isolation/check-isolation';
import { containerBuildsOf } from '../../../isolation/graph-builds';
import { imageContents } from '../../../isolation/image-contents';
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
    // Images are judged by what their Dockerfiles read and FROM, not by the graph's task edges.
    const { pathTags } = run.options;
    const contents = imageContents(context.root, containerBuildsOf(projectGraph), pathTags);
    const sinks = { log: run.print, warn: (l: string) => logger.warn(l), logError: run.logError };
    return checkIsolation(projectGraph, run.options.rules, sinks, { contents, pathTags });
  });
}
