import { minimatch } from 'minimatch';
import { changedPackages, dependencyClosure, LockedPackages } from './lockfile';

/**
 * Dockerfile-aware affected. Nx's own `--affected` marks a project when any file under its root changes
 * (a README, a test) and has no notion of target inputs. Here a container project is affected only when a
 * changed file is one of its container-build inputs (Dockerfile, ignore file, COPY/ADD sources, minus the
 * .dockerignore negations), or when a project it depends on is affected (its `^container-build`).
 */

export type InputDefinition =
  | string
  | { fileset?: string; input?: string; projects?: string | string[]; dependencies?: boolean; [k: string]: unknown };

export interface GraphProject {
  root: string;
  namedInputs?: Record<string, InputDefinition[]>;
  targets?: Record<string, { inputs?: InputDefinition[]; dependsOn?: unknown[] }>;
}

export interface AffectedGraph {
  projects: Record<string, GraphProject>;
  /** source project -> the projects it depends on. */
  dependencies: Record<string, string[]>;
}

export interface ContainerAffectedOptions {
  /** Workspace-relative posix paths changed between base and head (both sides of renames). */
  changedFiles: string[];
  graph: AffectedGraph;
  buildTarget?: string;
  /** nx.json namedInputs. */
  namedInputs?: Record<string, InputDefinition[]>;
  /** Files that change every container target (the plugin options live in nx.json). */
  globalFiles?: string[];
  /** The npm lockfile at base and head, when it changed: builds are affected by the packages they hash. */
  lockfile?: { file: string; before: LockedPackages; after: LockedPackages };
}

export interface AffectedProject {
  name: string;
  /** Changed input files that made it affected, or the dependency it was reached through. */
  reason: { files: string[] } | { dependency: string } | { global: string[] } | { packages: string[] };
}

/** Files Nx hashes into every task (nx.json, ignore files, the root tsconfig of a TypeScript workspace). */
export const GLOBAL_FILES = ['nx.json', '.gitignore', '.nxignore', 'tsconfig.base.json', 'tsconfig.json'];

interface FileSets {
  include: string[];
  exclude: string[];
}

/** Resolves a fileset to a workspace-relative glob. */
function resolveFileset(fileset: string, root: string): string {
  const rootPrefix = root === '.' || root === '' ? '' : `${root}/`;
  return fileset
    .replace(/^\{workspaceRoot\}\/?/, '')
    .replace(/^\{projectRoot\}\/?/, rootPrefix)
    .replace(/\/+$/, '');
}

/**
 * An input that names one of this project's named inputs ("default", "production") and its definition;
 * undefined for filesets, "^name" (dependencies' inputs), other projects' inputs, unknown or already expanded names.
 */
function namedInputOf(
  input: InputDefinition,
  project: GraphProject,
  named: Record<string, InputDefinition[]>,
  seen: ReadonlySet<string>,
): { name: string; definition: InputDefinition[] } | undefined {
  const name =
    typeof input === 'string'
      ? input
      : typeof input.input === 'string' && !input.projects && !input.dependencies
        ? input.input
        : undefined;
  if (name === undefined || name.startsWith('^') || seen.has(name)) return undefined;
  const definition = project.namedInputs?.[name] ?? named[name];
  return definition ? { name, definition } : undefined;
}

/** Collects the file globs of a list of inputs for one project, expanding named inputs. */
function collectFileSets(
  inputs: InputDefinition[],
  project: GraphProject,
  named: Record<string, InputDefinition[]>,
  out: FileSets,
  seen = new Set<string>(),
): void {
  for (const input of inputs) {
    const fileset = typeof input === 'string' ? input : typeof input.fileset === 'string' ? input.fileset : undefined;
    if (fileset !== undefined && (fileset.includes('{workspaceRoot}') || fileset.includes('{projectRoot}'))) {
      const negated = fileset.startsWith('!');
      const glob = resolveFileset(negated ? fileset.slice(1) : fileset, project.root);
      (negated ? out.exclude : out.include).push(glob);
      continue;
    }
    // "^name" inputs of dependencies are covered by following the graph to dependents below.
    const expanded = namedInputOf(input, project, named, seen);
    if (!expanded) continue;
    seen.add(expanded.name);
    collectFileSets(expanded.definition, project, named, out, seen);
  }
}

const matches = (file: string, glob: string) => file === glob || minimatch(file, glob, { dot: true });

/** Whether a changed file is an input: some include matches and no negation does (Nx applies negations to the whole set). */
export function isInput(file: string, sets: FileSets): boolean {
  return sets.include.some((g) => matches(file, g)) && !sets.exclude.some((g) => matches(file, g));
}

export function fileSetsFor(
  project: GraphProject,
  buildTarget: string,
  named: Record<string, InputDefinition[]> = {},
): FileSets | undefined {
  const target = project.targets?.[buildTarget];
  if (!target) return undefined;
  const sets: FileSets = { include: [], exclude: [] };
  // A target without inputs hashes every file of its project ("default").
  collectFileSets(target.inputs ?? ['{projectRoot}/**/*'], project, named, sets);
  return sets;
}

/**
 * The container projects affected by the changed files, sorted by name. Pure: the graph and the file list
 * come from the caller (the CLI reads them from Nx and git).
 */
/** The projects a build's dependsOn names explicitly, or undefined when it waits for every dependency (^target). */
function buildDependencies(project: GraphProject | undefined, buildTarget: string): string[] | undefined {
  const dependsOn = project?.targets?.[buildTarget]?.dependsOn;
  if (!dependsOn || dependsOn.includes(`^${buildTarget}`)) return undefined;
  return dependsOn.flatMap((d) => {
    const dep = d as { target?: string; projects?: string | string[] };
    if (typeof d !== 'object' || dep.target !== buildTarget || !dep.projects) return [];
    return Array.isArray(dep.projects) ? dep.projects : [dep.projects];
  });
}

export function containerAffected(options: ContainerAffectedOptions): AffectedProject[] {
  const buildTarget = options.buildTarget ?? 'container-build';
  const named = options.namedInputs ?? {};
  const { projects, dependencies } = options.graph;
  const containers = Object.keys(projects).filter((p) => projects[p].targets?.[buildTarget]);
  const changed = [...new Set(options.changedFiles.map((f) => f.replace(/\\/g, '/').replace(/^\.\//, '')))];
  const affected = new Map<string, AffectedProject>();

  const global = changed.filter((f) => (options.globalFiles ?? GLOBAL_FILES).includes(f));
  if (global.length > 0) {
    for (const name of containers) affected.set(name, { name, reason: { global } });
  }
  for (const name of containers) {
    if (affected.has(name)) continue;
    const sets = fileSetsFor(projects[name], buildTarget, named)!;
    const files = changed.filter((f) => isInput(f, sets));
    if (files.length > 0) affected.set(name, { name, reason: { files } });
  }
  const lock = options.lockfile;
  if (lock && changed.includes(lock.file)) {
    const moved = changedPackages(lock.before, lock.after);
    for (const name of containers) {
      if (affected.has(name)) continue;
      const roots = externalDependenciesOf(projects[name], buildTarget, named);
      // Without an externalDependencies input Nx hashes every external dependency.
      const reached = roots
        ? new Set([...dependencyClosure(lock.before, roots), ...dependencyClosure(lock.after, roots)])
        : undefined;
      const packages = [...moved].filter((p) => !reached || reached.has(p)).sort();
      if (packages.length > 0) affected.set(name, { name, reason: { packages } });
    }
  }

  // Dependents: a project whose build depends on an affected build is affected too (through any project):
  // with ^container-build every dependency counts, with an explicit list only the projects it names.
  const dependents = new Map<string, string[]>();
  for (const [source, targets] of Object.entries(dependencies)) {
    const waitsFor = buildDependencies(projects[source], buildTarget);
    for (const target of targets) {
      if (target === source || (waitsFor && !waitsFor.includes(target))) continue;
      dependents.set(target, [...(dependents.get(target) ?? []), source]);
    }
  }
  const queue = [...affected.keys()];
  const visited = new Set(queue);
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const dependent of dependents.get(current) ?? []) {
      if (visited.has(dependent)) continue;
      visited.add(dependent);
      queue.push(dependent);
      if (projects[dependent]?.targets?.[buildTarget] && !affected.has(dependent)) {
        affected.set(dependent, { name: dependent, reason: { dependency: current } });
      }
    }
  }
  return [...affected.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The packages a target hashes through `{ externalDependencies }` inputs (named inputs expanded); undefined: all of them. */
export function externalDependenciesOf(
  project: GraphProject,
  buildTarget: string,
  named: Record<string, InputDefinition[]> = {},
): string[] | undefined {
  const out: string[] = [];
  let found = false;
  const walk = (inputs: InputDefinition[], seen: Set<string>) => {
    for (const input of inputs) {
      if (typeof input !== 'string' && Array.isArray(input.externalDependencies)) {
        found = true;
        out.push(...(input.externalDependencies as string[]));
        continue;
      }
      const expanded = namedInputOf(input, project, named, seen);
      if (expanded) walk(expanded.definition, new Set([...seen, expanded.name]));
    }
  };
  walk(project.targets?.[buildTarget]?.inputs ?? ['{projectRoot}/**/*'], new Set());
  return found ? [...new Set(out)].sort() : undefined;
}

/** Adapts an Nx ProjectGraph ({nodes, dependencies}) to the plain graph used here. */
export function fromNxGraph(graph: {
  nodes: Record<string, { data: GraphProject }>;
  dependencies: Record<string, Array<{ target: string }>>;
}): AffectedGraph {
  const projects: Record<string, GraphProject> = {};
  for (const [name, node] of Object.entries(graph.nodes)) projects[name] = node.data;
  const dependencies: Record<string, string[]> = {};
  for (const [source, deps] of Object.entries(graph.dependencies)) {
    if (!projects[source]) continue;
    dependencies[source] = deps.map((d) => d.target).filter((t) => projects[t]);
  }
  return { projects, dependencies };
}
