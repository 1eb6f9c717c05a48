/**
 * The build's preflight of its context: before any engine process starts, a COPY/ADD source of a stage the build
 * runs that is not in the context (after the ignore file) fails the project at once, at its `file:line`, instead
 * of after the engine has pulled and run everything before it; a git-ignored source is named as such (a local
 * secret: it belongs in a build secret, not in a COPY).
 */
import { gitMaybe } from '../boundary/git';
import {
  describeMissingSource,
  diskContextFiles,
  missingContextSources,
  SourceCheck,
} from '../dockerfile/context-sources';
import { ignoreFileFor } from '../dockerfile/dockerignore';
import { BuildInputError } from './build-error';
import type { BuildRequest } from './build-request';

export type ContextPreflightRequest = SourceCheck & { workspaceRoot: string };

const SECRET_HINT =
  '; git ignores it, so no checkout has it (a secret? pass it as a build secret, RUN --mount=type=secret, instead of COPYing it)';

/** One line per source not in the context (none: every source is there). Asks git once, for all of them. */
export async function contextPreflight(req: ContextPreflightRequest): Promise<string[]> {
  const missing = missingContextSources(diskContextFiles(req.workspaceRoot), req);
  if (missing.length === 0) return [];
  const paths = missing.map((m) => m.path);
  const ignored = await gitMaybe(req.workspaceRoot, ['check-ignore', '--no-index', '--', ...paths]);
  const gitIgnored = new Set((ignored ?? '').split('\n').map((l) => l.trim()));
  return missing.map((m) => describeMissingSource(req, m, gitIgnored.has(m.path) ? SECRET_HINT : ''));
}

/** container-build's call, before the engine is chosen: throws BuildInputError naming every missing source. */
export async function assertContextSources(req: BuildRequest): Promise<void> {
  const { workspaceRoot, options } = req;
  const files = diskContextFiles(workspaceRoot);
  const problems = await contextPreflight({
    workspaceRoot,
    dockerfile: options.dockerfile,
    context: options.context,
    ignoreFile: ignoreFileFor((p) => files.exists(p), options.dockerfile, options.context),
    buildArgs: options.buildArgs,
    target: options.target,
  });
  if (problems.length) throw new BuildInputError(req.project, problems);
}
