import type { ExecutorContext } from '@nx/devkit';
import { PushDeps, pushBuiltImage } from '../../../push/push-built-image';
import { PushResult } from '../../../push/push';
import { ExecutorRun, ExecutorSpec, prepareRun, runExecutor } from '../run-executor';
import { pushRequestOf } from './push-request';
import { flagsBeatEnvironment } from './registry-flag';
import { PushExecutorOptions, schema } from './options';

const spec: ExecutorSpec<typeof schema> = { name: 'push', schema, project: 'configured' };

function push(run: ExecutorRun<PushExecutorOptions>, deps: PushDeps): Promise<PushResult> {
  const log = deps.log ?? run.log;
  return pushBuiltImage(pushRequestOf(run), { ...deps, env: flagsBeatEnvironment(run.context, run.env, log), log });
}

/** The push, with its inputs injectable for tests; throws on any failure. */
export async function runPush(rawOptions: unknown, context: ExecutorContext, deps: PushDeps = {}): Promise<PushResult> {
  return push(prepareRun(spec, rawOptions, context, deps.env), deps);
}

export default async function pushExecutor(
  rawOptions: unknown,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return runExecutor(spec, rawOptions, context, async (run) => (await push(run, {}), true));
}
