/** container-push in Nx batch mode (see ../batch.ts): the push tasks of a run in one process, 4 at a time. */
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { runOnceEach } from '../../../boundary/process';
import { BatchResult, runBatch } from '../batch';
import { runPush } from './executor';

const CONCURRENCY = 4;

export default function pushBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, unknown>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<BatchResult> {
  // Every task asks git the same two questions: one answer each for the batch.
  const run = runOnceEach();
  return runBatch('push', taskGraph, inputs, context, CONCURRENCY, async (task) => {
    await runPush(task.options, task.context, { log: task.log, run });
    return true;
  });
}
