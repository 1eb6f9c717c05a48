import type { ExecutorContext } from '@nx/devkit';
import { RegistriesReleaseOutcome, runReleaseOnRegistries } from '../../../release/release-registries';
import { ReleaseDeps } from '../../../release/run-release';
import { ExecutorRun, ExecutorSpec, prepareRun, runExecutor } from '../run-executor';
import { flagsBeatEnvironment } from '../push/registry-flag';
import { ReleaseExecutorOptions, schema } from './options';

const spec: ExecutorSpec<typeof schema> = { name: 'release', schema, project: 'configured' };

/** The release, with its inputs injectable for tests; throws on any failure. */
export async function runRelease(
  rawOptions: unknown,
  context: ExecutorContext,
  deps: ReleaseDeps = {},
): Promise<RegistriesReleaseOutcome> {
  return release(prepareRun(spec, rawOptions, context, deps.env), deps);
}

function release(run: ExecutorRun<ReleaseExecutorOptions>, deps: ReleaseDeps): Promise<RegistriesReleaseOutcome> {
  const log = deps.log ?? run.log;
  const env = flagsBeatEnvironment(run.context, run.env, log);
  return runReleaseOnRegistries(run.project, run.options, { workspaceRoot: run.workspaceRoot, ...deps, env, log });
}

export default async function releaseExecutor(
  rawOptions: unknown,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return runExecutor(spec, rawOptions, context, async (run) => (await release(run, {}), true));
}
