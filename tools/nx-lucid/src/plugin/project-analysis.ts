import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { analyzeDockerfile, DockerfileAnalysis, DockerfileError } from '../dockerfile/analyze';
import { dockerignoreNegations, parseDockerignore } from '../dockerfile/dockerignore';

export interface ContainerProject {
  /** Project root relative to the workspace, posix. */
  root: string;
  /** Workspace-relative path of the Dockerfile. */
  dockerfile: string;
  /** Workspace-relative path of the ignore file in force, if any. */
  ignoreFile?: string;
  /** The analysis, or the error that prevented it. */
  analysis?: DockerfileAnalysis;
  error?: DockerfileError;
  /** Nx input globs of exactly what the build reads. */
  inputs: string[];
}

/**
 * The ignore file BuildKit applies with the workspace root as context:
 * `<Dockerfile>.dockerignore` beside the Dockerfile, else the context's `.dockerignore`.
 */
export function ignoreFileFor(workspaceRoot: string, dockerfile: string): string | undefined {
  const beside = `${dockerfile}.dockerignore`;
  if (existsSync(join(workspaceRoot, beside))) return beside;
  if (existsSync(join(workspaceRoot, '.dockerignore'))) return '.dockerignore';
  return undefined;
}

/** Nx input globs for a COPY/ADD source: the path itself, and everything below it when it is a directory. */
export function sourceInputs(path: string): string[] {
  if (path === '.') return ['{workspaceRoot}/**/*'];
  return [`{workspaceRoot}/${path}`, `{workspaceRoot}/${path}/**/*`];
}

/**
 * Analyses by file content, shared by createNodes and createDependencies (they run in the same plugin
 * worker): each Dockerfile is parsed once per content, not once per graph hook.
 */
const analysisMemo = new Map<string, ContainerProject>();

/** Reads and analyses one project's Dockerfile. Never throws: a broken Dockerfile is reported on the project. */
export function analyzeContainerProject(workspaceRoot: string, dockerfile: string): ContainerProject {
  const root = posix.dirname(dockerfile);
  const ignoreFile = ignoreFileFor(workspaceRoot, dockerfile);
  const fixed = [`{workspaceRoot}/${dockerfile}`, ...(ignoreFile ? [`{workspaceRoot}/${ignoreFile}`] : [])];
  const content = readFileSync(join(workspaceRoot, dockerfile), 'utf8');
  const ignoreContent = ignoreFile ? readFileSync(join(workspaceRoot, ignoreFile), 'utf8') : '';
  const key = `${workspaceRoot}\0${dockerfile}\0${ignoreFile ?? ''}\0${content}\0${ignoreContent}`;
  const memo = analysisMemo.get(key);
  if (memo) return memo;
  const result = analyzeUncached(root, dockerfile, ignoreFile, fixed, content, ignoreContent);
  if (analysisMemo.size > 5000) analysisMemo.clear();
  analysisMemo.set(key, result);
  return result;
}

function analyzeUncached(
  root: string,
  dockerfile: string,
  ignoreFile: string | undefined,
  fixed: string[],
  content: string,
  ignoreContent: string,
): ContainerProject {
  try {
    const analysis = analyzeDockerfile(content, dockerfile);
    const sources = [...new Set(analysis.contextSources.flatMap((s) => sourceInputs(s.path)))].sort();
    const negations = ignoreFile ? dockerignoreNegations(parseDockerignore(ignoreContent)) : [];
    return { root, dockerfile, ignoreFile, analysis, inputs: [...fixed, ...sources, ...negations] };
  } catch (e) {
    if (e instanceof DockerfileError) {
      // A broken Dockerfile still changes the project: its own files stay inputs.
      return { root, dockerfile, ignoreFile, error: e, inputs: [...fixed, '{projectRoot}/**/*'] };
    }
    throw e;
  }
}

/** Project name as Nx will name it: project.json "name", else package.json "name", else the root path. */
export function projectNameFor(workspaceRoot: string, root: string): string {
  for (const file of ['project.json', 'package.json']) {
    const p = join(workspaceRoot, root, file);
    if (existsSync(p)) {
      const name = JSON.parse(readFileSync(p, 'utf8')).name;
      if (typeof name === 'string' && name) return name;
    }
  }
  return root.replace(/[\\/\s]+/g, '-').toLowerCase();
}
