/** Which workspace files are Dockerfiles (and which variant), which are compose files, and which are skipped. */
import { posix } from 'node:path';
import { Minimatch } from 'minimatch';

/** Nx matches plugin globs before options are known: every Dockerfile spelling and the compose files. */
export const PLUGIN_GLOB =
  '**/{Dockerfile,Dockerfile.*,*.Dockerfile,dockerfile,dockerfile.*,*.dockerfile,docker-compose*.yml,docker-compose*.yaml,compose*.yml,compose*.yaml}';

export interface DockerfileFile {
  path: string;
  folder: string;
  /** `api` for Dockerfile.api, api.Dockerfile and dockerfile.api; undefined for a plain Dockerfile. */
  variant?: string;
}

const COMPOSE = /^(docker-compose|compose)[^/]*\.ya?ml$/;

export function isComposeFile(path: string): boolean {
  return COMPOSE.test(posix.basename(path));
}

/** A Dockerfile name and its variant, or null for anything else (an ignore file is not a Dockerfile). */
export function dockerfileVariant(path: string): { variant?: string } | null {
  const base = posix.basename(path);
  if (base.endsWith('.dockerignore')) return null;
  const m = base.match(/^dockerfile(?:\.(.+))?$/i) ?? base.match(/^(.+)\.dockerfile$/i);
  if (!m) return null;
  // Dockerfile.md, dockerfile.sh: notes and scripts about Dockerfiles, not Dockerfiles.
  if (m[1] && /\.(md|txt|sh|py|csv|json|ya?ml|ts|js)$/i.test(base)) return null;
  return m[1] ? { variant: m[1] } : {};
}

/**
 * Compiled once per skip list: compiling each glob per file, then matching `**` segment by segment, was a third
 * of createNodes at 1000 services. A glob of only literals, `*`, `?` and `/` matches no path that lacks its longest
 * literal run (`node_modules`, `.ref`, ` copy`), so most paths are answered by one substring test.
 */
const compiledSkips = new Map<string, Array<(path: string) => boolean>>();

function compileSkip(glob: string): (path: string) => boolean {
  const mm = new Minimatch(glob, { dot: true });
  if (!/^[^\\[\]{}()!+@]*$/.test(glob)) return (path) => mm.match(path);
  const literal = glob.split(/[*?/]+/).reduce((a, b) => (b.length > a.length ? b : a), '');
  return (path) => path.includes(literal) && mm.match(path);
}

export function isSkipped(path: string, skip: readonly string[]): boolean {
  const key = skip.join('\0');
  let matchers = compiledSkips.get(key);
  if (!matchers) {
    matchers = skip.map(compileSkip);
    if (compiledSkips.size > 50) compiledSkips.clear();
    compiledSkips.set(key, matchers);
  }
  return matchers.some((m) => m(path));
}

export function classifyDockerfile(path: string, skip: readonly string[]): DockerfileFile | null {
  const kind = dockerfileVariant(path);
  if (!kind || isSkipped(path, skip)) return null;
  return { path, folder: posix.dirname(path), ...kind };
}
