import type { ExecutorContext } from '@nx/devkit';
import { PushDeps, pushBuiltImage } from '../../registry/push-built-image';
import { PushResult } from '../../registry/push';
import { ExecutorRun, ExecutorSpec, prepareRun, runExecutor } from '../run-executor';
import { PushExecutorOptions, schema } from './options';

const PUSH_EXECUTOR = '@lucid/nx-lucid:push';
const spec: ExecutorSpec<typeof schema> = { name: 'push', schema, project: 'configured' };

/** Every project with a push target, and its outputPath: the sibling repositories a blob may be mounted from. */
export function pushTargets(context: ExecutorContext): Array<{ name: string; outputPath: unknown }> {
  return Object.entries(context.projectsConfigurations?.projects ?? {}).flatMap(([name, p]) => {
    const push = Object.values(p.targets ?? {}).find((t) => t.executor === PUSH_EXECUTOR);
    return push ? [{ name, outputPath: push.options?.outputPath }] : [];
  });
}

function push(run: ExecutorRun<PushExecutorOptions>, deps: PushDeps): Promise<PushResult> {
  const request = {
    workspaceRoot: run.workspaceRoot,
    project: run.project,
    tags: run.tags,
    options: run.options,
    siblings: pushTargets(run.context),
  };
  return pushBuiltImage(request, { ...deps, log: deps.log ?? run.log });
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
