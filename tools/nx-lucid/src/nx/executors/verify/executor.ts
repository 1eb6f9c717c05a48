import type { ExecutorContext } from '@nx/devkit';
import { VerifyDeps, verifyBuildOutput } from '../../../verify/verify-build-output';
import { ExecutorSpec, prepareRun, runExecutor } from '../run-executor';
import { schema } from './options';

const spec: ExecutorSpec<typeof schema> = { name: 'verify', schema, project: 'optional' };

/** One verify with its log sinks injected (the batch collects each task's lines); throws on bad options. */
export function runVerify(
  rawOptions: unknown,
  context: ExecutorContext,
  sinks: Omit<VerifyDeps, 'env'>,
  env = process.env,
): Promise<boolean> {
  const run = prepareRun(spec, rawOptions, context, env);
  return verifyBuildOutput(run.workspaceRoot, run.options, { env, ...sinks });
}

export default async function verifyExecutor(
  rawOptions: unknown,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return runExecutor(spec, rawOptions, context, (run) => verifyBuildOutput(run.workspaceRoot, run.options, run));
}
