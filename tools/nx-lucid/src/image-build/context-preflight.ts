/**
 * Preflight of the build context: before any engine starts, every COPY/ADD (and RUN --mount bind) source of every
 * stage the build runs is looked up in the context, after the ignore file in force. A source that is not there
 * would fail the build after the engine has pulled and run everything before it; here it fails at once, at its
 * `file:line`, and says when git ignores it (a local secret: it belongs in a build secret, not in a COPY).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { gitMaybe } from '../boundary/git';
import { analyzeDockerfile, CopySource } from '../dockerfile/analyze';
import { dockerignoreExcludes } from '../dockerfile/dockerignore';
import { stagesForTarget } from '../dockerfile/stages';
import { ignoreFileFor } from '../plugin/project-analysis';
import { BuildInputError } from './build-error';
import type { BuildRequest } from './build-request';

export interface ContextPreflightRequest {
  workspaceRoot: string;
  /** Workspace-relative Dockerfile, its build context and the ignore file in force (ignoreFileFor). */
  dockerfile: string;
  context: string;
  ignoreFile?: string;
  buildArgs: Record<string, string>;
  /** The stage to build; default the last one. */
  target?: string;
}

export interface MissingSource {
  source: CopySource;
  /** Workspace-relative path of the source. */
  path: string;
  why: 'absent' | 'ignored' | 'no match';
}

const GLOB = /[*?[]/;

/** Context-relative paths that a source (Go filepath.Match per segment, as BuildKit's COPY) matches on disk. */
function globMatches(contextDir: string, pattern: string): string[] {
  const { Minimatch } = require('minimatch') as typeof import('minimatch');
  let found = [''];
  for (const segment of pattern.split('/')) {
    const matcher = GLOB.test(segment) ? new Minimatch(segment, { dot: true, nobrace: true, noext: true }) : null;
    const next: string[] = [];
    for (const dir of found) {
      const full = join(contextDir, dir);
      if (!matcher) {
        if (existsSync(join(full, segment))) next.push(dir ? `${dir}/${segment}` : segment);
        continue;
      }
      if (!existsSync(full) || !statSync(full).isDirectory()) continue;
      for (const name of readdirSync(full)) if (matcher.match(name)) next.push(dir ? `${dir}/${name}` : name);
    }
    found = next;
  }
  return found;
}

/** Why a context-relative source is not in the context, or undefined when it is. */
function missingReason(contextDir: string, source: string, excluded: (p: string) => boolean, hasExceptions: boolean) {
  if (source === '.') return undefined;
  if (GLOB.test(source)) {
    const matches = globMatches(contextDir, source);
    return matches.some((m) => !excluded(m)) ? undefined : matches.length ? 'ignored' : 'no match';
  }
  if (!existsSync(join(contextDir, source))) return 'absent';
  // An excluded folder may still hold files a later "!" line re-includes: only a plain exclusion is certain.
  if (excluded(source) && !(hasExceptions && statSync(join(contextDir, source)).isDirectory())) return 'ignored';
  return undefined;
}

/** The sources of the stages the build runs that are not in its context (synchronous: files only). */
export function missingContextSources(req: ContextPreflightRequest): MissingSource[] {
  const text = readFileSync(join(req.workspaceRoot, req.dockerfile), 'utf8');
  const model = analyzeDockerfile(text, req.dockerfile, req.buildArgs);
  const built = stagesForTarget(model.stages, req.target);
  if (!built) return [];
  const ignoreText = req.ignoreFile ? readFileSync(join(req.workspaceRoot, req.ignoreFile), 'utf8') : '';
  const excluded = dockerignoreExcludes(ignoreText);
  const hasExceptions = /^\s*!/m.test(ignoreText);
  const contextDir = join(req.workspaceRoot, req.context);
  const missing: MissingSource[] = [];
  for (const source of model.contextSources) {
    // A source naming an unknown variable may be anything: the engine decides.
    if (source.unresolved || !built.has(source.stage)) continue;
    const why = missingReason(contextDir, source.path, excluded, hasExceptions);
    const path = req.context === '.' ? source.path : posix.join(req.context, source.path);
    if (why) missing.push({ source, path, why });
  }
  return missing;
}

/** One line per missing source: `<dockerfile>:<line>: COPY <source>: not in the build context <context> (…)`. */
export function describeMissing(req: ContextPreflightRequest, m: MissingSource, gitIgnored: boolean): string {
  const where = `${req.dockerfile}:${m.source.line}: ${m.source.instruction} ${m.source.path}`;
  const context = req.context === '.' ? '. (the workspace root)' : req.context;
  const detail =
    m.why === 'ignored'
      ? `excluded by ${req.ignoreFile}`
      : m.why === 'no match'
        ? 'no file matches it'
        : `${m.path} does not exist`;
  const secret = gitIgnored
    ? '; git ignores it, so it is a local file no checkout has (a secret? pass it as a build secret, RUN --mount=type=secret, instead of COPYing it)'
    : '';
  return `${where}: not in the build context ${context} (${detail}${secret})`;
}

/** The preflight's problems, one line each (empty when every source is there). Asks git once, for all of them. */
export async function contextPreflight(req: ContextPreflightRequest): Promise<string[]> {
  const missing = missingContextSources(req);
  if (missing.length === 0) return [];
  const ignored = await gitMaybe(req.workspaceRoot, [
    'check-ignore',
    '--no-index',
    '--',
    ...missing.map((m) => m.path),
  ]);
  const gitIgnored = new Set((ignored ?? '').split('\n').map((l) => l.trim()));
  return missing.map((m) => describeMissing(req, m, gitIgnored.has(m.path)));
}

/** container-build's call, before the engine is chosen: every missing source of the build, or nothing. */
export async function assertContextSources(req: BuildRequest): Promise<void> {
  const { workspaceRoot, options } = req;
  const problems = await contextPreflight({
    workspaceRoot,
    dockerfile: options.dockerfile,
    context: options.context,
    ignoreFile: ignoreFileFor(workspaceRoot, options.dockerfile, options.context),
    buildArgs: options.buildArgs,
    target: options.target,
  });
  if (problems.length) throw new BuildInputError(req.project, problems);
}
