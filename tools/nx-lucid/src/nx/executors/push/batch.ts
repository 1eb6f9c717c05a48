/**
 * Nx batch mode for container-push (executors.json: batchImplementation, preferBatch): every push task of a run
 * in one process, a few at a time, so a no-op push of many services costs registry round trips, not one Node
 * start and plugin load per service. Each task's lines are its own terminal output.
 */
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { asCompleted } from '../../../boundary/as-completed';
import { runOnceEach } from '../../../boundary/process';
import { runWithRedactedFailure } from '../../../boundary/redacted-failure';
import { runPush } from './executor';

const CONCURRENCY = 4;

export default async function* pushBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, unknown>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<{ task: string; result: { success: boolean; terminalOutput: string } }> {
  // Every task asks git the same two questions: one answer each for the batch.
  const run = runOnceEach();
  yield* asCompleted(Object.keys(taskGraph.tasks), CONCURRENCY, async (id) => {
    const { project, target } = taskGraph.tasks[id].target;
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const { success } = await runWithRedactedFailure(
      'push',
      project,
      () => runPush(inputs[id], { ...context, projectName: project, targetName: target }, { log, run }),
      log,
    );
    return { task: id, result: { success, terminalOutput: `${lines.join('\n')}\n` } };
  });
}
