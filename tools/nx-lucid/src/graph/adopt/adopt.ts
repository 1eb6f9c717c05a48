/**
 * Adopting a repository: which plugin options make its Dockerfiles a working graph. Names, phases and scopes
 * for the catalogue's services; a build context for Dockerfiles written for their own folder (`COPY . .`,
 * `COPY requirements.txt .`) that no compose file gives one. Builds wait only for the images they FROM
 * (waitForCopiedProjects: false): what they COPY is among their inputs, so Dockerfiles reading each other's
 * folders make no task cycle.
 */
import { posix } from 'node:path';
import { Workspace, workspaceFiles } from '../workspace-files';
import type { DockerfileProjectOptions, PluginOptions } from '../../config/options';
import { inferContainerProjects, InferredProject } from '../infer';
import { analyzeContainerProject, declaredProjectName } from '../project-analysis';
import { classifyDockerfile, isComposeFile } from '../dockerfile-files';
import type { CatalogueEntry } from './catalogue';

export interface AdoptionPlan {
  /** The plugin's `projects` option. */
  projects: Record<string, DockerfileProjectOptions>;
  mapped: Array<{ service: string; dockerfile: string; phase: number }>;
  unmapped: Array<{ service: string; lookedFor: string[] }>;
  contexts: Array<{ dockerfile: string; context: string }>;
  composeProblems: string[];
  layout: { dockerfiles: number; variants: number; composeFiles: number; composeBuilds: number };
}

/** A Dockerfile whose sources exist beside it (and not all at the workspace root), or that copies `.`. */
function writtenForItsFolder(workspaceRoot: Workspace, p: InferredProject): boolean {
  const fs = workspaceFiles(workspaceRoot);
  const folder = posix.dirname(p.dockerfile);
  if (folder === '.' || p.contextFrom !== 'default') return false;
  const analysis = analyzeContainerProject(workspaceRoot, p).analysis;
  if (!analysis) return false;
  const literal = analysis.contextSources
    .filter((s) => !s.unresolved && s.path !== '.' && !/[*?[]/.test(s.path))
    .map((s) => s.path);
  const copiesAll = analysis.contextSources.some((s) => s.path === '.' && !s.unresolved);
  const inFolder = literal.every((s) => fs.exists(posix.join(folder, s)));
  const atRoot = literal.every((s) => fs.exists(s));
  return inFolder && ((literal.length > 0 && !atRoot) || copiesAll);
}

export function planAdoption(
  workspaceRoot: Workspace,
  files: readonly string[],
  catalogue: readonly CatalogueEntry[],
  base: PluginOptions,
): AdoptionPlan {
  const projects: Record<string, DockerfileProjectOptions> = {};
  base = { ...base, waitForCopiedProjects: false };
  const first = inferContainerProjects(workspaceRoot, files, base);
  const byPath = new Map(first.projects.map((p) => [p.dockerfile, p]));
  const mapped: AdoptionPlan['mapped'] = [];
  const unmapped: AdoptionPlan['unmapped'] = [];
  const taken = new Set<string>();
  for (const service of catalogue) {
    const dockerfile = service.dockerfiles.find((d) => byPath.has(d) && !taken.has(d));
    if (!dockerfile) {
      unmapped.push({ service: service.name, lookedFor: service.dockerfiles });
      continue;
    }
    taken.add(dockerfile);
    mapped.push({ service: service.name, dockerfile, phase: service.phase });
    // A project whose project.json already carries the name keeps its own tags.
    const p = byPath.get(dockerfile)!;
    if (!(p.root !== p.dockerfile && declaredProjectName(workspaceRoot, p.root) === service.name)) {
      projects[dockerfile] = {
        name: service.name,
        tags: [`${base.phaseTagPrefix}${service.phase}`, `scope:${service.scope}`, 'type:service'],
      };
    }
  }
  const contexts: AdoptionPlan['contexts'] = [];
  for (const p of first.projects) {
    if (!writtenForItsFolder(workspaceRoot, p)) continue;
    const context = posix.dirname(p.dockerfile);
    projects[p.dockerfile] = { ...projects[p.dockerfile], context };
    contexts.push({ dockerfile: p.dockerfile, context });
  }
  const dockerfiles = files.map((f) => classifyDockerfile(f, base.skipDockerfiles)).filter((f) => f !== null);
  return {
    projects,
    mapped,
    unmapped,
    contexts,
    composeProblems: first.composeProblems,
    layout: {
      dockerfiles: dockerfiles.length,
      variants: dockerfiles.filter((f) => f!.variant !== undefined).length,
      composeFiles: files.filter(isComposeFile).length,
      composeBuilds: first.projects.filter((p) => p.compose).length,
    },
  };
}
