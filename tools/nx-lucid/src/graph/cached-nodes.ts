/**
 * createNodes' per-project work through the on-disk cache (graph-cache.ts): a project whose recorded file answers
 * all still hold gets its stored analysis and node back without reading or parsing its Dockerfile again; any other
 * is analysed through a recording reader and stored. The analysis goes to the round's memo either way, so
 * createDependencies reads nothing again.
 */
import type { ProjectConfiguration } from '@nx/devkit';
import { DockerfileError } from '../dockerfile/errors';
import type { DockerfileAnalysis } from '../dockerfile/analyze';
import { analyzeForNodes, rememberForNodes } from './analysis-memo';
import { GraphCache, keyHash } from './graph-cache';
import type { ContainerProject, ContainerProjectSpec } from './project-analysis';
import { composeBuildBlocks, ComposeBuildBlocks } from './compose';
import { checkObservations, contentHash, recordingReader } from './recorded-reads';
import type { WorkspaceFiles } from './workspace-files';

/** A ContainerProject as JSON: the error as its parts, ARG defaults with `undefined` kept apart from "". */
export interface StoredProject extends Omit<ContainerProject, 'error' | 'analysis'> {
  error?: { file: string; line: number; reason: string };
  analysis?: Omit<DockerfileAnalysis, 'globalArgs'> & { globalArgs: Array<[string] | [string, string]> };
}

export interface NodeEntry {
  project: StoredProject;
  /** The projects whose images it FROMs when it waits only for those (null: it waits for every project it reads). */
  owners: string[] | null;
  node: Omit<ProjectConfiguration, 'root'> & { root: string };
}

export function storeProject(project: ContainerProject): StoredProject {
  const { error, analysis, ...rest } = project;
  return {
    ...rest,
    ...(error ? { error: { file: error.file, line: error.line, reason: error.reason } } : {}),
    ...(analysis
      ? {
          analysis: {
            ...analysis,
            globalArgs: Object.entries(analysis.globalArgs).map(([k, v]): [string] | [string, string] =>
              v === undefined ? [k] : [k, v],
            ),
          },
        }
      : {}),
  };
}

export function reviveProject(stored: StoredProject): ContainerProject {
  const { error, analysis, ...rest } = stored;
  return {
    ...rest,
    ...(error ? { error: new DockerfileError(error.file, error.line, error.reason) } : {}),
    ...(analysis ? { analysis: { ...analysis, globalArgs: Object.fromEntries(analysis.globalArgs) } } : {}),
  };
}

export interface NodesRound {
  workspaceRoot: string;
  /** The round's disk reader (stats kept for the round). */
  files: WorkspaceFiles;
  cache: GraphCache<NodeEntry>;
  /** The hash of everything but the project that decides its node: options, code inputs, runtime-input commands. */
  roundKey: string;
}

/** How the node is made from the analysis and the image owners (create-nodes.ts). */
export type NodeBuilder = (project: ContainerProject, owners: string[] | null) => NodeEntry['node'];

/**
 * The project's analysis and node: from the cache when its file answers still hold (the node rebuilt only when
 * the image owners it waits for changed), else analysed afresh and stored.
 */
export function cachedProjectNode(
  round: NodesRound,
  /** The project as inferred (name, tags, compose block, …): all of it keys the entry. */
  inferred: ContainerProjectSpec,
  ownersOf: (project: ContainerProject) => string[] | null,
  build: NodeBuilder,
): { project: ContainerProject; node: NodeEntry['node'] } {
  const key = keyHash([round.roundKey, inferred]);
  const hit = round.cache.get(key);
  const check = hit && checkObservations(round.files, hit.observations);
  if (hit && check?.holds) {
    const project = reviveProject(hit.value.project);
    rememberForNodes(round.workspaceRoot, inferred, project);
    const owners = ownersOf(project);
    const observations = check.restamped ?? hit.observations;
    if (JSON.stringify(owners) === JSON.stringify(hit.value.owners)) {
      if (check.restamped) round.cache.set(key, { observations, value: hit.value });
      else round.cache.keep(key);
      return { project, node: hit.value.node };
    }
    const node = build(project, owners);
    round.cache.set(key, { observations, value: { project: hit.value.project, owners, node } });
    return { project, node };
  }
  const recording = recordingReader(round.files);
  const project = analyzeForNodes(round.workspaceRoot, inferred, recording.files);
  const owners = ownersOf(project);
  const node = build(project, owners);
  // Stored as is: the cache is written (serialised) before the round's results go back to Nx.
  round.cache.set(key, {
    observations: recording.observations,
    value: { project: storeProject(project), owners, node },
  });
  return { project, node };
}

/** Compose files' build blocks kept by the hash of the file's text: a file read again is not parsed again. */
export function cachedComposeBlocks(cache: GraphCache<ComposeBuildBlocks>): (text: string) => ComposeBuildBlocks {
  return (text) => {
    const key = contentHash(text);
    const hit = cache.get(key);
    if (hit) {
      cache.keep(key);
      return hit.value;
    }
    const blocks = composeBuildBlocks(text);
    cache.set(key, { observations: [], value: blocks });
    return blocks;
  };
}
