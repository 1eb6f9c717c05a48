/** The isolation use case: tag rules over the whole project graph (Dockerfile edges included), reported. */
import type { ProjectGraph } from '@nx/devkit';
import { evaluateRules, IsolationRule, ruleName, TagGraph, unmatchedRules } from './rules';

/** Tags and dependency targets of every project (external npm nodes stay untagged targets). */
export function tagGraphOf(graph: ProjectGraph): TagGraph {
  return {
    projects: Object.fromEntries(
      Object.entries(graph.nodes).map(([name, node]) => [name, { tags: node.data.tags ?? [] }]),
    ),
    dependencies: Object.fromEntries(
      Object.entries(graph.dependencies).map(([name, deps]) => [name, deps.map((d) => d.target)]),
    ),
  };
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
): boolean {
  const graph = tagGraphOf(projectGraph);
  for (const rule of unmatchedRules(graph, rules)) {
    sinks.warn(`isolation: rule "${ruleName(rule)}" matches no project; check its tags`);
  }
  const violations = evaluateRules(graph, rules);
  const edges = Object.values(graph.dependencies).reduce((n, d) => n + d.filter((t) => graph.projects[t]).length, 0);
  const summary = `${rules.length} rule(s) over ${Object.keys(graph.projects).length} projects and ${edges} project dependencies`;
  if (violations.length === 0) {
    sinks.log(`✔ isolation: ${summary}, no violations`);
    return true;
  }
  sinks.logError(`✖ isolation: ${violations.length} violation(s) of ${summary}:`);
  for (const v of violations) sinks.logError(`  - rule "${v.rule}": ${v.message}`);
  return false;
}
