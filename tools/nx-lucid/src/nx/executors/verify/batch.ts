/**
 * container-verify in Nx batch mode (see ../batch.ts): the verify tasks of a run in one process, so verifying 29
 * services costs one Node start and plugin load, not 29; two at a time (each walk is CPU-bound).
 */
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { BatchResult, runBatch } from '../batch';
import { runVerify } from './executor';

const CONCURRENCY = 2;

export default function verifyBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, unknown>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<BatchResult> {
  return runBatch('verify', taskGraph, inputs, context, CONCURRENCY, (task) =>
    runVerify(task.options, task.context, { log: task.log, logError: task.log }),
  );
}
