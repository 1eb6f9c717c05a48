import { z } from 'zod';

/** A tag, or '*' for every project. */
const tag = z.string().min(1);
const tags = z.union([tag, z.array(tag)]).transform((t) => (Array.isArray(t) ? t : [t]));

/**
 * One rule over the whole project graph, in the spirit of @nx/enforce-module-boundaries depConstraints
 * but over every dependency (Dockerfile COPY/FROM edges included) and transitively.
 * A project is subject to the rule when it has `sourceTag`, every `onlyFor` tag, and none of `except`.
 */
export const isolationRuleSchema = z
  .object({
    /** Shown in violations; defaults to a description built from the rule. */
    name: z.string().min(1).optional(),
    sourceTag: tag,
    onlyFor: tags.default([]),
    except: tags.default([]),
    /** The project itself must carry every one of these tags (e.g. phase:4). */
    requireTags: z.array(tag).min(1).optional(),
    /** No project reachable from it, directly or transitively, may carry any of these tags. */
    notDependOnTransitively: z.array(tag).min(1).optional(),
    /** Every project reachable from it must carry at least one of these tags ('*' allows any). */
    onlyDependOnTransitively: z.array(tag).min(1).optional(),
  })
  .strict()
  .refine((r) => r.requireTags || r.notDependOnTransitively || r.onlyDependOnTransitively, {
    message: 'a rule needs at least one of requireTags, notDependOnTransitively, onlyDependOnTransitively',
  });

export type IsolationRule = z.output<typeof isolationRuleSchema>;
export type IsolationRuleInput = z.input<typeof isolationRuleSchema>;

/** The project graph reduced to what the rules read: tags per project, dependency targets per project. */
export interface TagGraph {
  /** `path`: a tagged workspace path, not a project: it is reached, never subject to a rule. */
  projects: Record<string, { tags: readonly string[]; path?: boolean }>;
  dependencies: Record<string, readonly string[]>;
  /**
   * Per project and dependency: where the dependency comes from (a Dockerfile line) and whether reaching it reaches
   * what it depends on too (a read of files does not; a FROM does). Absent: transitive, no site.
   */
  edges?: Record<string, Record<string, { transitive: boolean; site?: string }>>;
}

export interface Violation {
  rule: string;
  project: string;
  /** project → … → offending project; just [project] for tag requirements. */
  path: string[];
  message: string;
}

export function ruleName(rule: IsolationRule): string {
  if (rule.name) return rule.name;
  const who =
    [rule.sourceTag, ...rule.onlyFor].join(' + ') + (rule.except.length ? ` except ${rule.except.join(', ')}` : '');
  const what = [
    rule.requireTags && `requireTags ${rule.requireTags.join(', ')}`,
    rule.notDependOnTransitively && `notDependOnTransitively ${rule.notDependOnTransitively.join(', ')}`,
    rule.onlyDependOnTransitively && `onlyDependOnTransitively ${rule.onlyDependOnTransitively.join(', ')}`,
  ]
    .filter(Boolean)
    .join('; ');
  return `${who}: ${what}`;
}

function has(tagsOf: readonly string[], t: string): boolean {
  return t === '*' || tagsOf.includes(t);
}

export function ruleApplies(rule: IsolationRule, projectTags: readonly string[]): boolean {
  return (
    has(projectTags, rule.sourceTag) &&
    rule.onlyFor.every((t) => projectTags.includes(t)) &&
    !rule.except.some((t) => projectTags.includes(t))
  );
}

/** Shortest dependency path from `source` to every project it reaches (deterministic: neighbours sorted). */
export function reachable(graph: TagGraph, source: string): Map<string, string[]> {
  const paths = new Map<string, string[]>([[source, [source]]]);
  const expanded = new Set<string>();
  const queue: Array<{ node: string; path: string[] }> = [{ node: source, path: [source] }];
  while (queue.length) {
    const { node, path } = queue.shift()!;
    if (expanded.has(node)) continue;
    expanded.add(node);
    for (const next of [...(graph.dependencies[node] ?? [])].sort()) {
      const nextPath = [...path, next];
      if (!paths.has(next)) paths.set(next, nextPath);
      // A read of files is a leaf: what that folder's project depends on is not in this image.
      if (graph.edges?.[node]?.[next]?.transitive !== false && !expanded.has(next))
        queue.push({ node: next, path: nextPath });
    }
  }
  paths.delete(source);
  return paths;
}

/** The Dockerfile lines a path goes through, where the graph knows them. */
function sitesOf(graph: TagGraph, path: readonly string[]): string {
  const sites = path
    .slice(1)
    .map((to, i) => graph.edges?.[path[i]]?.[to]?.site)
    .filter((s): s is string => !!s);
  return sites.length ? `; ${sites.join(', then ')}` : '';
}

/** Every violation of every rule, in rule order then project name order. */
export function evaluateRules(graph: TagGraph, rules: readonly IsolationRule[]): Violation[] {
  const violations: Violation[] = [];
  const names = Object.keys(graph.projects).sort();
  for (const rule of rules) {
    const label = ruleName(rule);
    for (const project of names) {
      const projectTags = graph.projects[project].tags;
      if (graph.projects[project].path || !ruleApplies(rule, projectTags)) continue;
      const missing = (rule.requireTags ?? []).filter((t) => !projectTags.includes(t));
      if (missing.length) {
        violations.push({
          rule: label,
          project,
          path: [project],
          message: `${project} lacks ${missing.join(', ')} (its tags: ${projectTags.join(', ') || 'none'})`,
        });
      }
      if (!rule.notDependOnTransitively && !rule.onlyDependOnTransitively) continue;
      for (const [target, path] of reachable(graph, project)) {
        // External nodes (npm:…) carry no tags and are not subject to tag rules.
        const targetTags = graph.projects[target]?.tags;
        if (!targetTags) continue;
        const banned = (rule.notDependOnTransitively ?? []).filter((t) => has(targetTags, t));
        if (banned.length) {
          violations.push({
            rule: label,
            project,
            path,
            message: `${path.join(' → ')} (${target} is tagged ${banned.join(', ')}${sitesOf(graph, path)})`,
          });
        }
        const allowed = rule.onlyDependOnTransitively;
        if (allowed && !allowed.some((t) => has(targetTags, t))) {
          violations.push({
            rule: label,
            project,
            path,
            message: `${path.join(' → ')} (${target} has none of ${allowed.join(', ')}; its tags: ${targetTags.join(', ') || 'none'}${sitesOf(graph, path)})`,
          });
        }
      }
    }
  }
  return violations;
}

/** Rules whose sourceTag (or onlyFor) no project carries: most likely a typo that would pass forever. */
export function unmatchedRules(graph: TagGraph, rules: readonly IsolationRule[]): IsolationRule[] {
  const all = Object.values(graph.projects).map((p) => p.tags);
  return rules.filter((r) => !all.some((t) => has(t, r.sourceTag) && r.onlyFor.every((o) => t.includes(o))));
}
