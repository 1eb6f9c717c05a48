import type { ExecutorContext } from '@nx/devkit';
import { RegistriesReleaseOutcome, runReleaseOnRegistries } from '../../../release/release-registries';
import { ReleaseDeps } from '../../../release/run-release';
import { ExecutorSpec, prepareRun, runExecutor } from '../run-executor';
import { schema } from './options';

const spec: ExecutorSpec<typeof schema> = { name: 'release', schema, project: 'configured' };

/** The release, with its inputs injectable for tests; throws on any failure. */
export async function runRelease(
  rawOptions: unknown,
  context: ExecutorContext,
  deps: ReleaseDeps = {},
): Promise<RegistriesReleaseOutcome> {
  const run = prepareRun(spec, rawOptions, context, deps.env);
  return runReleaseOnRegistries(run.project, run.options, {
    workspaceRoot: run.workspaceRoot,
    ...deps,
    log: deps.log ?? run.log,
  });
}

export default async function releaseExecutor(
  rawOptions: unknown,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return runExecutor(
    spec,
    rawOptions,
    context,
    async (run) => (
      await runReleaseOnRegistries(run.project, run.options, { log: run.log, workspaceRoot: run.workspaceRoot }),
      true
    ),
  );
}
