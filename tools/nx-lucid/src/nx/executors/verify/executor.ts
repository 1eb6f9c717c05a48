import type { ExecutorContext } from '@nx/devkit';
import { verifyBuildOutput } from '../../../verify/verify-build-output';
import { ExecutorSpec, runExecutor } from '../run-executor';
import { schema } from './options';

const spec: ExecutorSpec<typeof schema> = { name: 'verify', schema, project: 'optional' };

export default async function verifyExecutor(
  rawOptions: unknown,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return runExecutor(spec, rawOptions, context, (run) => verifyBuildOutput(run.workspaceRoot, run.options, run));
}
