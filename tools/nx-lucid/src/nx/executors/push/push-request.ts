/** What the push use case is given from an executor run: shared by container-push and nx-release-publish. */
import type { ExecutorContext } from '@nx/devkit';
import type { ExecutorRun } from '../run-executor';

const PUSH_EXECUTOR = '@lucid/nx-lucid:push';
/** Every project with a push target, and its outputPath: the sibling repositories a blob may be mounted from. */
export function pushTargets(context: ExecutorContext): Array<{ name: string; outputPath: unknown }> {
  return Object.entries(context.projectsConfigurations?.projects ?? {}).flatMap(([name, p]) => {
    const push = Object.values(p.targets ?? {}).find((t) => t.executor === PUSH_EXECUTOR);
    return push ? [{ name, outputPath: push.options?.outputPath }] : [];
  });
}

/** The push request of a prepared run (push and nx-release-publish take the same one). */
export function pushRequestOf<O>(run: ExecutorRun<O>) {
  return {
    workspaceRoot: run.workspaceRoot,
    project: run.project,
    tags: run.tags,
    options: run.options,
    siblings: pushTargets(run.context),
  };
}
