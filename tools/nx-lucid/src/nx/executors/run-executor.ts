/**
 * The one wrapper every executor runs through: options parsed with the executor's zod schema, the project
 * looked up, any failure turned into one redacted error line and `success: false`, info lines as `[project] …`.
 */
import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import type { z } from 'zod';
import { parseOptionsWith } from '../../config/options';
import { runWithRedactedFailure } from '../../boundary/redacted-failure';

export interface ExecutorSpec<S extends z.ZodType> {
  /** The executor's name in @lucid/nx-lucid:<name>. */
  name: string;
  schema: S;
  /** configured: the project must be in the workspace; named: the context must name one; optional: neither. */
  project: 'configured' | 'named' | 'optional';
  /** Where lines go (default: the Nx logger); scan keeps plain console lines for its report output. */
  sinks?: { info: (line: string) => void; error: (line: string) => void };
}

export interface ExecutorRun<O> {
  options: O;
  /** '' only for project: 'optional' without one. */
  project: string;
  projectRoot: string;
  tags: string[];
  workspaceRoot: string;
  context: ExecutorContext;
  env: NodeJS.ProcessEnv;
  /** An info line as `[project] line`. */
  log: (line: string) => void;
  /** An info line as it is: output meant to be copied (command lines). */
  print: (line: string) => void;
  logError: (line: string) => void;
}

const nxSinks = { info: (l: string) => logger.info(l), error: (l: string) => logger.error(l) };

/** Parses and looks up; throws on bad options or an unknown project (the registry executors' specs call this directly). */
export function prepareRun<S extends z.ZodType>(
  spec: ExecutorSpec<S>,
  rawOptions: unknown,
  context: ExecutorContext,
  env = process.env,
): ExecutorRun<z.output<S>> {
  const options = parseOptionsWith(spec.schema, rawOptions, spec.name);
  const project = context.projectName ?? '';
  const config = project ? context.projectsConfigurations?.projects[project] : undefined;
  if (spec.project === 'configured' && !config) {
    throw new Error(`unknown project "${project}": it is not in this workspace (nx show projects lists them)`);
  }
  if (spec.project === 'named' && !project) throw new Error(`@lucid/nx-lucid:${spec.name} needs a project`);
  const sinks = spec.sinks ?? nxSinks;
  return {
    options,
    project,
    projectRoot: config?.root ?? '.',
    tags: config?.tags ?? [],
    workspaceRoot: context.root,
    context,
    env,
    log: (line) => sinks.info(project ? `[${project}] ${line}` : line),
    print: sinks.info,
    logError: sinks.error,
  };
}

/**
 * Runs an executor body; a thrown error becomes one line, redacted of environment tokens (the registry
 * executors' failure wrapper, used by all). The body returns whether the run passed.
 */
export async function runExecutor<S extends z.ZodType>(
  spec: ExecutorSpec<S>,
  rawOptions: unknown,
  context: ExecutorContext,
  body: (run: ExecutorRun<z.output<S>>) => Promise<boolean>,
): Promise<{ success: boolean }> {
  let passed = false;
  const run = async () => void (passed = await body(prepareRun(spec, rawOptions, context)));
  const { success } = await runWithRedactedFailure(
    spec.name,
    context.projectName || undefined,
    run,
    (spec.sinks ?? nxSinks).error,
  );
  return { success: success && passed };
}
