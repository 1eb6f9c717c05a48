/**
 * Which context sources of a Dockerfile are not in its build context: every COPY/ADD (and RUN --mount bind)
 * source of the stages a build of the target runs, looked up in the context after the ignore file in force.
 * Read by the build's preflight (before any engine starts) and by init (choosing a Dockerfile and a context).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Minimatch } from 'minimatch';
import { CopySource, parseDockerfile } from './model';
import { dockerignoreExcludes } from './dockerignore';
import { stagesForTarget } from './stages';

/** Workspace-relative reads: the disk in a build, the generator's Tree in init. */
export interface ContextFiles {
  exists(path: string): boolean;
  isDirectory(path: string): boolean;
  /** Names in a folder; absent when the reader cannot list (globs are then taken as present). */
  children?(path: string): string[];
  read(path: string): string;
}

export function diskContextFiles(root: string): ContextFiles {
  return {
    exists: (p) => existsSync(join(root, p)),
    isDirectory: (p) => statSync(join(root, p), { throwIfNoEntry: false })?.isDirectory() ?? false,
    children: (p) => readdirSync(join(root, p)),
    read: (p) => readFileSync(join(root, p), 'utf8'),
  };
}

export interface SourceCheck {
  /** Workspace-relative Dockerfile, build context ("." the workspace root) and the ignore file in force. */
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
const within = (context: string, path: string) =>
  context === '.' ? path : path === '' ? context : posix.join(context, path);

/** Context-relative paths a source matches (Go filepath.Match per segment, as BuildKit's COPY); null: cannot list. */
function globMatches(files: ContextFiles, context: string, pattern: string): string[] | null {
  if (!files.children) return null;
  let found = [''];
  for (const segment of pattern.split('/')) {
    const matcher = GLOB.test(segment) ? new Minimatch(segment, { dot: true, nobrace: true, noext: true }) : null;
    const next: string[] = [];
    for (const dir of found) {
      const join = (name: string) => (dir ? `${dir}/${name}` : name);
      if (!matcher) {
        if (files.exists(within(context, join(segment)))) next.push(join(segment));
      } else if (files.isDirectory(within(context, dir))) {
        for (const name of files.children(within(context, dir))) if (matcher.match(name)) next.push(join(name));
      }
    }
    found = next;
  }
  return found;
}

interface IgnoreRules {
  excluded: (path: string) => boolean;
  hasExceptions: boolean;
}

/** Why a context-relative source is not in the context, or undefined when it is. */
function missingReason(files: ContextFiles, context: string, source: string, rules: IgnoreRules) {
  if (source === '.') return undefined;
  if (GLOB.test(source)) {
    const matches = globMatches(files, context, source);
    if (matches === null || matches.some((m) => !rules.excluded(m))) return undefined;
    return matches.length ? 'ignored' : 'no match';
  }
  const path = within(context, source);
  if (!files.exists(path)) return 'absent';
  // An excluded folder may still hold files a later "!" line re-includes: only a plain exclusion is certain.
  if (rules.excluded(source) && !(rules.hasExceptions && files.isDirectory(path))) return 'ignored';
  return undefined;
}

/** The sources of the stages the build runs that are not in its context. Throws DockerfileError for a broken file. */
export function missingContextSources(files: ContextFiles, check: SourceCheck): MissingSource[] {
  const model = parseDockerfile(files.read(check.dockerfile), check.dockerfile, check.buildArgs);
  const built = stagesForTarget(model.stages, check.target);
  if (!built) return [];
  const ignoreText = check.ignoreFile ? files.read(check.ignoreFile) : '';
  const rules = { excluded: dockerignoreExcludes(ignoreText), hasExceptions: /^\s*!/m.test(ignoreText) };
  const missing: MissingSource[] = [];
  for (const source of model.contextSources) {
    // A source naming an unknown variable may be anything: the engine decides.
    if (source.unresolved || !built.has(source.stage)) continue;
    const why = missingReason(files, check.context, source.path, rules);
    if (why) missing.push({ source, path: within(check.context, source.path), why });
  }
  return missing;
}

/** `<dockerfile>:<line>: COPY <source>: not in the build context <context> (<why>)`. */
export function describeMissingSource(check: SourceCheck, m: MissingSource, extra = ''): string {
  const where = `${check.dockerfile}:${m.source.line}: ${m.source.instruction} ${m.source.path}`;
  const context = check.context === '.' ? '. (the workspace root)' : check.context;
  const detail =
    m.why === 'ignored'
      ? `excluded by ${check.ignoreFile}`
      : m.why === 'no match'
        ? 'no file matches it'
        : `${m.path} does not exist`;
  return `${where}: not in the build context ${context} (${detail}${extra})`;
}

/** The target names no stage of the Dockerfile (BuildKit: `target stage "x" could not be found`). */
export function unknownTargetProblem(files: ContextFiles, check: SourceCheck): string | undefined {
  if (check.target === undefined) return undefined;
  const { stages } = parseDockerfile(files.read(check.dockerfile), check.dockerfile, check.buildArgs);
  if (stagesForTarget(stages, check.target)) return undefined;
  const named = stages.filter((s) => s.name).map((s) => s.name);
  return `target "${check.target}" is not a stage of ${check.dockerfile} (its named stages: ${named.join(', ') || 'none'})`;
}
