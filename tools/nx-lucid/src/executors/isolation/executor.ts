import type { ExecutorContext, ProjectGraph } from '@nx/devkit';
import { createProjectGraphAsync, logger } from '@nx/devkit';
import { evaluateRules, ruleName, TagGraph, unmatchedRules } from '../../isolation/rules';
import { parseOptionsWith } from '../../config/options';
import { IsolationExecutorOptions, schema } from './options';

export function parseIsolationOptions(raw: unknown): IsolationExecutorOptions {
  return parseOptionsWith(schema, raw, 'isolation');
}

/** Tags and dependency targets of every project (external npm nodes stay untagged targets). */
export function tagGraphOf(graph: ProjectGraph): TagGraph {
  return {
    projects: Object.fromEntries(Object.entries(graph.nodes).map(([name, node]) => [name, { tags: node.data.tags ?? [] }])),
    dependencies: Object.fromEntries(Object.entries(graph.dependencies).map(([name, deps]) => [name, deps.map((d) => d.target)])),
  };
}

export default async function isolationExecutor(rawOptions: unknown, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const options = parseIsolationOptions(rawOptions);
    // The graph Nx already built for this run carries the plugin's Dockerfile-derived edges.
    const projectGraph = context.projectGraph ?? (await createProjectGraphAsync({ exitOnError: false }));
    const graph = tagGraphOf(projectGraph);
    for (const rule of unmatchedRules(graph, options.rules)) {
      logger.warn(`isolation: rule "${ruleName(rule)}" matches no project; check its tags`);
    }
    const violations = evaluateRules(graph, options.rules);
    const edges = Object.values(graph.dependencies).reduce((n, d) => n + d.filter((t) => graph.projects[t]).length, 0);
    const summary = `${options.rules.length} rule(s) over ${Object.keys(graph.projects).length} projects and ${edges} project dependencies`;
    if (violations.length === 0) {
      logger.info(`✔ isolation: ${summary}, no violations`);
      return { success: true };
    }
    logger.error(`✖ isolation: ${violations.length} violation(s) of ${summary}:`);
    for (const v of violations) logger.error(`  - rule "${v.rule}": ${v.message}`);
    return { success: false };
  } catch (e) {
    logger.error(`@lucid/nx-lucid:isolation: ${(e as Error).message}`);
    return { success: false };
  }
}
