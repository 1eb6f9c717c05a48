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
import { candidateProblem, CandidateCheck, checkCandidate, contextFilesOf } from './candidates';

export interface AdoptionPlan {
  /** The plugin's `projects` option. */
  projects: Record<string, DockerfileProjectOptions>;
  /** `variant`: the project is the Dockerfile itself (`Dockerfile.<name>`), not its folder. */
  mapped: Array<{ service: string; dockerfile: string; phase: number; variant: boolean }>;
  unmapped: Array<{ service: string; lookedFor: string[] }>;
  contexts: Array<{ dockerfile: string; context: string }>;
  /** Contexts (from compose or the default) under which the sources do not exist, and the folder they do. */
  correctedContexts: Array<{ dockerfile: string; from: string; to: string }>;
  /** One line per catalogue service mapped around, or only to, a Dockerfile that cannot build. */
  warnings: string[];
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

interface CatalogueMapping {
  mapped: AdoptionPlan['mapped'];
  unmapped: AdoptionPlan['unmapped'];
  warnings: string[];
  /** The check of each mapped Dockerfile. */
  checks: Map<string, CandidateCheck>;
}

/**
 * Each catalogue service gets its first candidate that parses and whose sources are all in its context; failing
 * that the first that parses, failing that the first that exists — with a warning naming the file and the reason.
 */
function mapCatalogue(
  workspace: Workspace,
  byPath: Map<string, InferredProject>,
  catalogue: readonly CatalogueEntry[],
): CatalogueMapping {
  const files = contextFilesOf(workspace);
  const out: CatalogueMapping = { mapped: [], unmapped: [], warnings: [], checks: new Map() };
  const taken = new Set<string>();
  for (const service of catalogue) {
    const checks = service.dockerfiles
      .filter((d) => byPath.has(d) && !taken.has(d))
      .map((d) => checkCandidate(files, byPath.get(d)!));
    const chosen =
      checks.find((c) => !candidateProblem(c)) ??
      checks.find((c) => !c.broken) ??
      (checks[0] as CandidateCheck | undefined);
    if (!chosen) {
      out.unmapped.push({ service: service.name, lookedFor: service.dockerfiles });
      continue;
    }
    taken.add(chosen.dockerfile);
    out.checks.set(chosen.dockerfile, chosen);
    const variant = byPath.get(chosen.dockerfile)!.root === chosen.dockerfile;
    out.mapped.push({ service: service.name, dockerfile: chosen.dockerfile, phase: service.phase, variant });
    for (const c of checks.slice(0, checks.indexOf(chosen)))
      out.warnings.push(`${service.name}: skipped ${c.dockerfile}: ${candidateProblem(c)}`);
    const problem = candidateProblem(chosen);
    if (problem) out.warnings.push(`${service.name} <- ${chosen.dockerfile}, which cannot build as it is: ${problem}`);
  }
  return out;
}

/** Compose (and default) contexts under which a Dockerfile's sources do not exist, set where they do. */
function correctContexts(
  workspace: Workspace,
  projects: readonly InferredProject[],
  checks: Map<string, CandidateCheck>,
): AdoptionPlan['correctedContexts'] {
  const files = contextFilesOf(workspace);
  const corrected: AdoptionPlan['correctedContexts'] = [];
  for (const p of projects) {
    if (p.contextFrom === 'projects option') continue;
    const check = checks.get(p.dockerfile) ?? checkCandidate(files, p);
    if (check.correctedFrom !== undefined)
      corrected.push({ dockerfile: p.dockerfile, from: check.correctedFrom, to: check.context });
  }
  return corrected;
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
  const { mapped, unmapped, warnings, checks } = mapCatalogue(workspaceRoot, byPath, catalogue);
  for (const m of mapped) {
    // A project whose project.json already carries the name keeps its own tags.
    const p = byPath.get(m.dockerfile)!;
    const service = catalogue.find((s) => s.name === m.service)!;
    if (!(p.root !== p.dockerfile && declaredProjectName(workspaceRoot, p.root) === service.name)) {
      projects[m.dockerfile] = {
        name: service.name,
        tags: [`${base.phaseTagPrefix}${service.phase}`, `scope:${service.scope}`, 'type:service'],
      };
    }
    // The stage compose builds, written where a person looks for it (the plugin reads compose's too).
    if (p.compose?.target) projects[m.dockerfile] = { ...projects[m.dockerfile], target: p.compose.target };
  }
  const contexts: AdoptionPlan['contexts'] = [];
  for (const p of first.projects) {
    if (!writtenForItsFolder(workspaceRoot, p)) continue;
    const context = posix.dirname(p.dockerfile);
    projects[p.dockerfile] = { ...projects[p.dockerfile], context };
    contexts.push({ dockerfile: p.dockerfile, context });
  }
  const unset = first.projects.filter((p) => projects[p.dockerfile]?.context === undefined);
  const correctedContexts = correctContexts(workspaceRoot, unset, checks);
  for (const c of correctedContexts) projects[c.dockerfile] = { ...projects[c.dockerfile], context: c.to };
  const dockerfiles = files.map((f) => classifyDockerfile(f, base.skipDockerfiles)).filter((f) => f !== null);
  return {
    projects,
    mapped,
    unmapped,
    contexts,
    correctedContexts,
    warnings,
    composeProblems: first.composeProblems,
    layout: {
      dockerfiles: dockerfiles.length,
      variants: dockerfiles.filter((f) => f!.variant !== undefined).length,
      composeFiles: files.filter(isComposeFile).length,
      composeBuilds: first.projects.filter((p) => p.compose).length,
    },
  };
}
