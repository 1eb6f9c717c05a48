import { posix } from 'node:path';
import { PathKind, Workspace, WorkspaceFiles, workspaceFiles } from './workspace-files';
import { analyzeDockerfile, DockerfileAnalysis, DockerfileError } from '../dockerfile/analyze';
import { dockerignoreNegations, ignoreFileFor, parseDockerignore } from '../dockerfile/dockerignore';

export interface ContainerProject {
  /** Project root relative to the workspace, posix. */
  root: string;
  /** Workspace-relative path of the Dockerfile. */
  dockerfile: string;
  /** Workspace-relative build context ("." is the workspace root). */
  context: string;
  buildArgs: Record<string, string>;
  /** The stage to build, when not the last. */
  target?: string;
  /** Workspace-relative path of the ignore file in force, if any. */
  ignoreFile?: string;
  /** The analysis, or the error that prevented it. */
  analysis?: DockerfileAnalysis;
  error?: DockerfileError;
  /** Workspace-relative path (or glob) of each context source, in order, "." being the workspace root. */
  sources: string[];
  /** Nx input globs of exactly what the build reads. */
  inputs: string[];
}

export interface ContainerProjectSpec {
  root: string;
  dockerfile: string;
  /** Defaults to the workspace root. */
  context?: string;
  buildArgs?: Record<string, string>;
  target?: string;
}

/** The ignore file BuildKit applies: `<Dockerfile>.dockerignore` beside the Dockerfile, else the context's `.dockerignore`. */
/** A context-relative source (already clamped to the context root) as a workspace-relative path. */
export function inContext(context: string, source: string): string {
  if (context === '.') return source;
  return source === '.' ? context : posix.join(context, source);
}

/**
 * Nx input globs for a workspace-relative source: everything below a directory, a file itself; both when it is
 * not known which (a glob, a missing path, a reader that cannot tell), since a smaller input set is not safe.
 */
export function sourceInputs(path: string, kind?: PathKind): string[] {
  if (path === '.') return ['{workspaceRoot}/**/*'];
  if (kind === 'directory') return [`{workspaceRoot}/${path}/**/*`];
  if (kind === 'file') return [`{workspaceRoot}/${path}`];
  return [`{workspaceRoot}/${path}`, `{workspaceRoot}/${path}/**/*`];
}

const GLOB_CHARS = /[*?[\\]/;

/** What a source is on disk; undefined for a glob (Docker's filepath.Match syntax) or when the reader cannot tell. */
function sourceKind(fs: WorkspaceFiles, path: string): PathKind | undefined {
  return path === '.' || GLOB_CHARS.test(path) ? undefined : fs.kind?.(path);
}

/** Reads and analyses one project's Dockerfile (the model caches by content). Never throws for a broken Dockerfile. */
export function analyzeContainerProject(workspace: Workspace, spec: ContainerProjectSpec | string): ContainerProject {
  const fs = workspaceFiles(workspace);
  const {
    root,
    dockerfile,
    context = '.',
    buildArgs = {},
    target,
  } = typeof spec === 'string' ? { root: posix.dirname(spec), dockerfile: spec, target: undefined } : spec;
  const ignoreFile = ignoreFileFor((p) => fs.exists(p), dockerfile, context);
  const fixed = [`{workspaceRoot}/${dockerfile}`, ...(ignoreFile ? [`{workspaceRoot}/${ignoreFile}`] : [])];
  const base = { root, dockerfile, context, buildArgs, ignoreFile, ...(target ? { target } : {}) };
  try {
    const analysis = analyzeDockerfile(fs.read(dockerfile), dockerfile, buildArgs);
    const sources = analysis.contextSources.map((s) => inContext(context, s.path));
    const globs = [...new Set(sources.flatMap((s) => sourceInputs(s, sourceKind(fs, s))))].sort();
    const prefix = context === '.' ? '{workspaceRoot}' : `{workspaceRoot}/${context}`;
    const negations = ignoreFile ? dockerignoreNegations(parseDockerignore(fs.read(ignoreFile)), prefix) : [];
    return { ...base, analysis, sources, inputs: [...fixed, ...globs, ...negations] };
  } catch (e) {
    if (e instanceof DockerfileError) {
      // A broken Dockerfile still changes the project: its own files stay inputs. A variant's root is its
      // Dockerfile, which owns no files in Nx's file map (the native hasher rejects it): its folder instead.
      const own = root === dockerfile ? `{workspaceRoot}/${posix.dirname(dockerfile)}/**/*` : '{projectRoot}/**/*';
      return { ...base, error: e, sources: [], inputs: [...fixed, own] };
    }
    throw e;
  }
}

/** Project name from the root's project.json "name", else package.json "name". */
export function declaredProjectName(workspace: Workspace, root: string): string | undefined {
  const fs = workspaceFiles(workspace);
  for (const file of ['project.json', 'package.json']) {
    const p = root === '.' ? file : `${root}/${file}`;
    // One read, no stat first: a missing manifest throws like an unreadable one, and names nothing.
    try {
      const name = JSON.parse(fs.read(p)).name;
      if (typeof name === 'string' && name) return name;
    } catch {
      // missing or unreadable
    }
  }
  return undefined;
}

/** Project name as Nx will name it: project.json "name", else package.json "name", else the root path. */
export function projectNameFor(workspace: Workspace, root: string): string {
  return declaredProjectName(workspace, root) ?? root.replace(/[\\/\s]+/g, '-').toLowerCase();
}
