import type { CreateDependencies, RawProjectGraphDependency } from '@nx/devkit';
import { DependencyType } from '@nx/devkit';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { minimatch } from 'minimatch';
import { parseImageReference } from '../image/naming';
import { normalizePluginOptions, PluginOptionsInput } from '../config/options';
import { analyzeContainerProject } from './project-analysis';
import { DOCKERFILE_NAME } from './create-nodes';
import { indexRoots } from './root-index';

interface ProjectRoot {
  name: string;
  root: string;
}

const GLOB_CHARS = /[*?[]/;

/**
 * Whether a COPY source glob (Go filepath.Match syntax, as Docker uses) can match the project root or
 * something inside it: compares segment by segment, a "**" matching any depth.
 */
function globReaches(pattern: string, root: string): boolean {
  const p = pattern.split('/');
  const r = root.split('/');
  for (let i = 0; i < Math.min(p.length, r.length); i++) {
    if (p[i] === '**') return true;
    if (!minimatch(r[i], p[i], { dot: true })) return false;
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
function imageKey(ref: string): string | undefined {
  try {
    const r = parseImageReference(ref);
    return `${r.registry}/${r.repository}`;
  } catch {
    return undefined;
  }
}

export const createDependencies: CreateDependencies<PluginOptionsInput> = (rawOptions, context) => {
  const options = normalizePluginOptions(rawOptions);
  const roots: ProjectRoot[] = Object.entries(context.projects).map(([name, p]) => ({ name, root: p.root }));
  const imageOwners = new Map<string, string>();
  for (const { name } of roots) imageOwners.set(`${options.registry}/${options.repository}/${name}`, name);

  const deps: RawProjectGraphDependency[] = [];
  for (const { name, root } of roots) {
    const dockerfile = root === '.' || root === '' ? DOCKERFILE_NAME : `${root}/${DOCKERFILE_NAME}`;
    if (!existsSync(join(context.workspaceRoot, dockerfile))) continue;
    const project = analyzeContainerProject(context.workspaceRoot, dockerfile);
    if (!project.analysis) continue;
    const targets = new Set<string>();
    for (const src of project.analysis.contextSources) {
      for (const p of projectsForPath(src.path, roots)) targets.add(p);
    }
    for (const image of project.analysis.externalImages) {
      const key = imageKey(image);
      const owner = key ? imageOwners.get(key) : undefined;
      if (owner) targets.add(owner);
    }
    targets.delete(name);
    for (const target of [...targets].sort()) {
      deps.push({ source: name, target, type: DependencyType.static, sourceFile: dockerfile });
    }
  }
  return deps;
};
