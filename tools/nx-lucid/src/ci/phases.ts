/**
 * Which container services sit in which phase, from project tags (`phase:N` by default). Pure: the caller
 * says which projects have a Dockerfile, since inferred container targets are not visible in a generator's tree.
 */
import { PLUGIN_DEFAULTS } from '../config/options';

export interface ServiceProject {
  name: string;
  tags: readonly string[];
  /** The project root holds a Dockerfile, so the plugin infers container targets for it. */
  hasDockerfile: boolean;
}

export interface Phase {
  phase: number;
  /** Sorted project names. */
  services: string[];
}

export interface PhaseLayout {
  /** Ascending by phase number. */
  phases: Phase[];
  /** Container projects with no phase tag: no phase job would ever build them. */
  untagged: string[];
}

export function phasesFromProjects(
  projects: readonly ServiceProject[],
  phaseTagPrefix = PLUGIN_DEFAULTS.phaseTagPrefix,
): PhaseLayout {
  const byPhase = new Map<number, string[]>();
  const untagged: string[] = [];
  const problems: string[] = [];
  for (const project of projects) {
    if (!project.hasDockerfile) continue;
    const phaseTags = project.tags.filter((t) => t.startsWith(phaseTagPrefix));
    if (phaseTags.length === 0) {
      untagged.push(project.name);
      continue;
    }
    if (phaseTags.length > 1) {
      problems.push(`${project.name} has more than one phase tag (${phaseTags.join(', ')})`);
      continue;
    }
    const value = phaseTags[0].slice(phaseTagPrefix.length);
    if (!/^[1-9][0-9]*$/.test(value)) {
      problems.push(`${project.name}: phase tag "${phaseTags[0]}" is not ${phaseTagPrefix}<positive integer>`);
      continue;
    }
    const phase = Number(value);
    byPhase.set(phase, [...(byPhase.get(phase) ?? []), project.name]);
  }
  if (problems.length)
    throw new Error(`cannot derive CI phases from project tags:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return {
    phases: [...byPhase.entries()]
      .sort(([a], [b]) => a - b)
      .map(([phase, services]) => ({ phase, services: services.sort() })),
    untagged: untagged.sort(),
  };
}

/**
 * Restricts the layout to explicitly requested phases (`--phases`). A requested phase with no service is an
 * error: its job would build nothing and hide a typo.
 */
export function selectPhases(layout: PhaseLayout, requested: readonly number[] | undefined): Phase[] {
  if (!requested || requested.length === 0) return layout.phases;
  const known = new Map(layout.phases.map((p) => [p.phase, p]));
  const missing = requested.filter((n) => !known.has(n));
  if (missing.length) {
    const have = layout.phases.map((p) => p.phase).join(', ') || 'none';
    throw new Error(
      `--phases ${missing.join(', ')}: no container service is tagged with ${missing.length > 1 ? 'these phases' : 'this phase'} (phases in the workspace: ${have})`,
    );
  }
  return [...new Set(requested)].sort((a, b) => a - b).map((n) => known.get(n)!);
}
