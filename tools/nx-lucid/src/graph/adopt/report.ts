/** The workspace files the adoption looks at, and what it tells the person running init. */
import { minimatch } from 'minimatch';
import { PLUGIN_GLOB } from '../dockerfile-files';
import type { AdoptionPlan } from './adopt';

interface FileTree {
  children(path: string): string[];
  isFile(path: string): boolean;
}

const NEVER = new Set(['node_modules', '.git', '.nx', 'dist']);

/** Files the plugin's glob matches (Dockerfiles and compose files), as Nx would hand them to createNodes. */
export function pluginFiles(tree: FileTree, dir = ''): string[] {
  const out: string[] = [];
  for (const name of tree.children(dir)) {
    if (NEVER.has(name)) continue;
    const path = dir ? `${dir}/${name}` : name;
    if (tree.isFile(path)) {
      if (minimatch(path, PLUGIN_GLOB, { dot: true })) out.push(path);
    } else out.push(...pluginFiles(tree, path));
  }
  return out.sort();
}

export function adoptionReport(plan: AdoptionPlan): string {
  const l = plan.layout;
  const lines = [
    `layout: ${l.dockerfiles} Dockerfiles (${l.variants} variants), ${l.composeFiles} compose files naming ${l.composeBuilds} of them`,
  ];
  // The catalogue names one repository's services: where it maps none, this is not that repository; say nothing.
  if (plan.mapped.length) {
    lines.push(
      `mapped ${plan.mapped.length} catalogue service(s):`,
      ...plan.mapped.map((m) => `  ${m.service} (phase ${m.phase}) <- ${m.dockerfile}`),
    );
  }
  if (plan.mapped.length && plan.unmapped.length) {
    lines.push(
      `not mapped (no Dockerfile found) ${plan.unmapped.length}:`,
      ...plan.unmapped.map((u) => `  ${u.service}: looked for ${u.lookedFor.join(', ')}`),
    );
  }
  if (plan.contexts.length)
    lines.push(
      'build context set to the Dockerfile folder (written for it):',
      ...plan.contexts.map((c) => `  ${c.dockerfile} -> ${c.context}`),
    );
  if (plan.correctedContexts.length)
    lines.push(
      'build context corrected (the COPY sources do not exist under the one compose gives; they do under this one):',
      ...plan.correctedContexts.map((c) => `  ${c.dockerfile}: ${c.from} -> ${c.to}`),
    );
  if (plan.composeProblems.length)
    lines.push(
      `compose build blocks that could not be used ${plan.composeProblems.length}:`,
      ...plan.composeProblems.map((p) => `  ${p}`),
    );
  return lines.join('\n');
}

/** The warnings: catalogue services mapped around, or only to, a Dockerfile that cannot build as it is. */
export function adoptionWarnings(plan: AdoptionPlan): string | undefined {
  if (!plan.warnings.length) return undefined;
  return [
    `${plan.warnings.length} catalogue mapping warning(s) (Dockerfiles that cannot build as they are):`,
    ...plan.warnings.map((w) => `  ${w}`),
  ].join('\n');
}
