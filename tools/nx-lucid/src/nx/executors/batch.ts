/**
 * Nx batch mode (executors.json: batchImplementation, preferBatch): every task of one executor in a run goes to
 * one process, a few at a time, so N tasks cost one Node start and plugin load instead of N. Each task's lines are
 * its own terminal output; a failing task fails alone, with its error redacted.
 */
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { asCompleted } from '../../boundary/as-completed';
import { runWithRedactedFailure } from '../../boundary/redacted-failure';

export interface BatchTask {
  /** The task's options as Nx resolved them. */
  options: unknown;
  /** The executor context of this task (its project and target). */
  context: ExecutorContext;
  log: (line: string) => void;
}

export type BatchResult = { task: string; result: { success: boolean; terminalOutput: string } };

export async function* runBatch(
  executor: string,
  taskGraph: TaskGraph,
  inputs: Record<string, unknown>,
  context: ExecutorContext,
  concurrency: number,
  runTask: (task: BatchTask) => Promise<boolean>,
): AsyncGenerator<BatchResult> {
  yield* asCompleted(Object.keys(taskGraph.tasks), concurrency, async (id) => {
    const { project, target } = taskGraph.tasks[id].target;
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    let passed = false;
    const taskContext = { ...context, projectName: project, targetName: target };
    const { success } = await runWithRedactedFailure(
      executor,
      project,
      async () => void (passed = await runTask({ options: inputs[id], context: taskContext, log })),
      log,
    );
    return { task: id, result: { success: success && passed, terminalOutput: `${lines.join('\n')}\n` } };
  });
}
