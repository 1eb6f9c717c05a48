/** The isolation use case: tag rules over the whole project graph (Dockerfile edges included), reported. */
import type { ProjectGraph } from '@nx/devkit';
import { evaluateRules, IsolationRule, ruleName, TagGraph, unmatchedRules } from './rules';
import type { ContentEdge } from './image-contents';

/**
 * Tags and dependency targets of every project (external npm nodes stay untagged targets). A project whose image
 * contents are known depends on exactly what its image reads and FROMs (image-contents.ts), each with its line;
 * tagged paths are nodes of their own.
 */
export function tagGraphOf(
  graph: ProjectGraph,
  contents: ReadonlyMap<string, ContentEdge[]> = new Map(),
  pathTags: Record<string, string[]> = {},
): TagGraph {
  const projects: TagGraph['projects'] = Object.fromEntries(
    Object.entries(graph.nodes).map(([name, node]) => [name, { tags: node.data.tags ?? [] }]),
  );
  for (const [folder, tags] of Object.entries(pathTags)) projects[folder] = { tags, path: true };
  const dependencies: Record<string, string[]> = Object.fromEntries(
    Object.entries(graph.dependencies).map(([name, deps]) => [name, deps.map((d) => d.target)]),
  );
  const edges: NonNullable<TagGraph['edges']> = {};
  for (const [name, list] of contents) {
    dependencies[name] = [...new Set(list.map((e) => e.target))];
    edges[name] = {};
    // The first line that makes each dependency is the one shown.
    for (const e of list) edges[name][e.target] ??= { transitive: e.transitive, site: e.site };
    for (const e of list) if (e.transitive) edges[name][e.target].transitive = true;
  }
  return { projects, dependencies, edges };
}

export interface IsolationSinks {
  log: (line: string) => void;
  warn: (line: string) => void;
  logError: (line: string) => void;
}

/** Returns whether no rule is violated. */
export function checkIsolation(
  projectGraph: ProjectGraph,
  rules: readonly IsolationRule[],
  sinks: IsolationSinks,
  images: { contents: ReadonlyMap<string, ContentEdge[]>; pathTags: Record<string, string[]> } = {
    contents: new Map(),
    pathTags: {},
  },
): boolean {
  const graph = tagGraphOf(projectGraph, images.contents, images.pathTags);
  for (const rule of unmatchedRules(graph, rules)) {
    sinks.warn(`isolation: rule "${ruleName(rule)}" matches no project; check its tags`);
  }
  const violations = evaluateRules(graph, rules);
  const edges = Object.values(graph.dependencies).reduce(
    (n, d) => n + d.filter((t) => graph.projects[t] && !graph.projects[t].path).length,
    0,
  );
  const projects = Object.values(graph.projects).filter((p) => !p.path).length;
  const summary = `${rules.length} rule(s) over ${projects} projects and ${edges} project dependencies`;
  if (violations.length === 0) {
    sinks.log(`✔ isolation: ${summary}, no violations`);
    return true;
  }
  sinks.logError(`✖ isolation: ${violations.length} violation(s) of ${summary}:`);
  for (const v of violations) sinks.logError(`  - rule "${v.rule}": ${v.message}`);
  return false;
}
