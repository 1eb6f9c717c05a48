import type { ExecutorContext } from '@nx/devkit';
import { PushDeps } from '../../../push/push-built-image';
import { publishRelease, ReleasePublishOutcome } from '../../../release/publish-release';
import { pushRequestOf } from '../push/push-request';
import { flagsBeatEnvironment } from '../push/registry-flag';
import { ExecutorRun, ExecutorSpec, prepareRun, runExecutor } from '../run-executor';
import { ReleasePublishExecutorOptions, schema } from './options';

const spec: ExecutorSpec<typeof schema> = { name: 'release-publish', schema, project: 'configured' };

function publish(run: ExecutorRun<ReleasePublishExecutorOptions>, deps: PushDeps): Promise<ReleasePublishOutcome> {
  const log = deps.log ?? run.log;
  const env = flagsBeatEnvironment(run.context, deps.env ?? run.env, log);
  return publishRelease({ ...pushRequestOf(run), projectRoot: run.projectRoot }, { ...deps, env, log });
}

/** The publish, with its inputs injectable for tests; throws on any failure. */
export async function runReleasePublish(
  rawOptions: unknown,
  context: ExecutorContext,
  deps: PushDeps = {},
): Promise<ReleasePublishOutcome> {
  return publish(prepareRun(spec, rawOptions, context, deps.env), deps);
}

/** `nx release publish` runs this as each container service's nx-release-publish target. */
export default async function releasePublishExecutor(
  rawOptions: unknown,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return runExecutor(spec, rawOptions, context, async (run) => (await publish(run, {}), true));
}
