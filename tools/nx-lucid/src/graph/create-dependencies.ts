import type { CreateDependencies, DependencyType, RawProjectGraphDependency } from '@nx/devkit';
import { warn } from './nx-logger';
import { Minimatch } from 'minimatch';
import { parseImageReference } from '../image/naming';
import type { PluginOptions, PluginOptionsInput } from '../config/options';
import { normalizedPluginOptions } from './plugin-options-cache';
import { analyzeContainerProject } from './project-analysis';
import { analyzedForNodes } from './analysis-memo';
import { Workspace, workspaceFiles } from './workspace-files';
import { describeCycles, findCycles, SourceEdge } from './dependency-cycles';
import { indexRoots } from './root-index';

interface ProjectRoot {
  name: string;
  root: string;
}

const GLOB_CHARS = /[*?[]/;
const segmentMatchers = new Map<string, Minimatch>();

function segmentMatcher(segment: string): Minimatch {
  let m = segmentMatchers.get(segment);
  if (!m) {
    m = new Minimatch(segment, { dot: true });
    if (segmentMatchers.size > 1000) segmentMatchers.clear();
    segmentMatchers.set(segment, m);
  }
  return m;
}

/**
 * Whether a COPY source glob (Go filepath.Match syntax, as Docker uses) can match the project root or
 * something inside it: compares segment by segment, a "**" matching any depth.
 */
function globReaches(pattern: string, root: string): boolean {
  const p = pattern.split('/');
  const r = root.split('/');
  for (let i = 0; i < Math.min(p.length, r.length); i++) {
    if (p[i] === '**') return true;
    if (!segmentMatcher(p[i]).match(r[i])) return false;
  }
  return true;
}

/** Projects a context path reads: the one that owns it, or every project below it when it is a folder. */
export function projectsForPath(path: string, roots: ProjectRoot[]): string[] {
  const index = indexRoots(roots);
  if (path === '.') return index.real.map((r) => r.name);
  if (GLOB_CHARS.test(path)) return index.real.filter((r) => globReaches(path, r.root)).map((r) => r.name);
  return index.ownerAndBelow(path);
}

/** Strips tag and digest: the name a FROM refers to. */
export function imageKey(ref: string): string | undefined {
  try {
    const r = parseImageReference(ref);
    return `${r.registry}/${r.repository}`;
  } catch {
    return undefined;
  }
}

/** The Dockerfile, context and build args a project's build target was inferred with. */
function buildSpec(
  project: { root: string; targets?: Record<string, { options?: Record<string, unknown> }> },
  buildTarget: string,
) {
  const o = project.targets?.[buildTarget]?.options;
  if (!o || typeof o.dockerfile !== 'string') {
    // A project known only by its root (targets not merged in): the plain Dockerfile in it, workspace root as context.
    return {
      root: project.root,
      dockerfile: project.root === '.' || project.root === '' ? 'Dockerfile' : `${project.root}/Dockerfile`,
      context: '.',
      buildArgs: {},
    };
  }
  return {
    root: project.root,
    dockerfile: o.dockerfile,
    context: typeof o.context === 'string' ? o.context : '.',
    buildArgs: (o.buildArgs as Record<string, string> | undefined) ?? {},
  };
}

type ProjectsWithTargets = Record<
  string,
  { root: string; targets?: Record<string, { options?: Record<string, unknown>; dependsOn?: unknown[] }> }
>;

export interface DockerfileDependencies {
  deps: RawProjectGraphDependency[];
  /** Every edge with the instruction that makes it. */
  edges: SourceEdge[];
  /** The edges container-build's dependsOn turns into task dependencies. */
  taskEdges: SourceEdge[];
}

/** The project graph edges the Dockerfiles make: COPY/ADD/RUN --mount sources in other projects, FROM their images. */
export function dockerfileDependencies(
  workspace: Workspace,
  projects: ProjectsWithTargets,
  options: PluginOptions,
): DockerfileDependencies {
  const fs = workspaceFiles(workspace);
  const context = { workspaceRoot: fs, projects };
  const roots: ProjectRoot[] = Object.entries(context.projects).map(([name, p]) => ({ name, root: p.root }));
  const imageOwners = new Map<string, string>();
  for (const [name, p] of Object.entries(context.projects)) {
    // createNodes put the repository it worked out (configured, GITHUB_REPOSITORY or the origin remote) into the options.
    const given = p.targets?.[options.targetNames.build]?.options?.repository;
    const repository = typeof given === 'string' ? given : options.repository;
    if (repository) imageOwners.set(`${options.registry}/${repository}/${name}`, name);
  }
  // A variant's project root is its Dockerfile: reading that file is not a reason to wait for its image.
  const dockerfileRoots = new Set<string>();
  for (const p of Object.values(context.projects)) {
    const spec = buildSpec(p, options.targetNames.build);
    if (spec && spec.dockerfile === p.root) dockerfileRoots.add(p.root);
  }
  const readable = roots.filter((r) => !dockerfileRoots.has(r.root));

  const deps: RawProjectGraphDependency[] = [];
  const edges: SourceEdge[] = [];
  const taskEdges: SourceEdge[] = [];
  for (const [name, config] of Object.entries(context.projects)) {
    const spec = buildSpec(config, options.targetNames.build);
    const known = typeof workspace === 'string' ? analyzedForNodes(workspace, spec) : undefined;
    if (!known && !fs.exists(spec.dockerfile)) continue;
    const project = known ?? analyzeContainerProject(context.workspaceRoot, spec);
    if (!project.analysis) continue;
    const targets = new Set<string>();
    const own: SourceEdge[] = [];
    project.analysis.contextSources.forEach((src, i) => {
      for (const p of projectsForPath(project.sources[i] ?? src.path, readable)) {
        targets.add(p);
        if (p !== name)
          own.push({
            source: name,
            target: p,
            dockerfile: spec.dockerfile,
            line: src.line,
            via: `${src.instruction} ${src.path}`,
          });
      }
    });
    for (const image of project.analysis.externalImages) {
      const key = imageKey(image);
      const owner = key ? imageOwners.get(key) : undefined;
      if (owner) {
        targets.add(owner);
        if (owner !== name)
          own.push({ source: name, target: owner, dockerfile: spec.dockerfile, line: 0, via: `FROM ${image}` });
      }
    }
    targets.delete(name);
    // A variant's root is its Dockerfile, which Nx's file map gives to the folder's project: no sourceFile then.
    const waits = (
      (config.targets?.[options.targetNames.build]?.dependsOn as unknown[] | undefined) ?? [
        `^${options.targetNames.build}`,
      ]
    ).includes(`^${options.targetNames.build}`);
    edges.push(...own);
    taskEdges.push(...own.filter((e) => waits || e.via.startsWith('FROM ')));
    const ownsDockerfile = spec.dockerfile !== config.root;
    for (const target of [...targets].sort()) {
      deps.push(
        ownsDockerfile
          ? { source: name, target, type: 'static' as DependencyType.static, sourceFile: spec.dockerfile }
          : { source: name, target, type: 'implicit' as DependencyType.implicit },
      );
    }
  }
  return { deps, edges, taskEdges };
}

export const createDependencies: CreateDependencies<PluginOptionsInput> = (rawOptions, context) => {
  const options = normalizedPluginOptions(context.workspaceRoot, rawOptions).configured;
  const { deps, taskEdges } = dockerfileDependencies(
    context.workspaceRoot,
    context.projects as ProjectsWithTargets,
    options,
  );
  // Nx only says "the task graph has a circular dependency"; say which COPY lines make it and how to break it.
  // Projects without a Dockerfile add no edges here, so every cycle runs through container builds only.
  const cycles = findCycles(taskEdges);
  if (cycles.length)
    warn(describeCycles(cycles, taskEdges, context.projects as ProjectsWithTargets, options.targetNames.build));
  return deps;
};
