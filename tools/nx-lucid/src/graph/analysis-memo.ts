/**
 * The container projects createNodes analysed, for the createDependencies call that follows it in the same
 * plugin worker: the edges then come from the same reading of the Dockerfiles as the nodes, and 1000 services'
 * Dockerfiles and ignore files are not read and checked a second time. Each createNodes call starts afresh; a
 * project it did not analyse (or analysed with another spec) is analysed from disk as before.
 */
import { analyzeContainerProject, ContainerProject, ContainerProjectSpec } from './project-analysis';
import { roundFiles, WorkspaceFiles } from './workspace-files';

let memo: { workspaceRoot: string; files: WorkspaceFiles; projects: Map<string, ContainerProject> } | undefined;

const keyOf = (spec: ContainerProjectSpec) =>
  JSON.stringify([spec.root, spec.dockerfile, spec.context ?? '.', Object.entries(spec.buildArgs ?? {}).sort()]);

/**
 * createNodes, first: forget the previous round. Returns the round's disk reader (stats kept for the round;
 * `files`, those Nx matched, known to be files).
 */
export function startNodesRound(workspaceRoot: string, files: Iterable<string> = []): WorkspaceFiles {
  memo = { workspaceRoot, files: roundFiles(workspaceRoot, files), projects: new Map() };
  return memo.files;
}

/** createNodes: analyse (through `files` when given, e.g. a recording reader over the round's), and remember. */
export function analyzeForNodes(
  workspaceRoot: string,
  spec: ContainerProjectSpec,
  files?: WorkspaceFiles,
): ContainerProject {
  const round = memo?.workspaceRoot === workspaceRoot ? memo : undefined;
  const project = analyzeContainerProject(files ?? round?.files ?? workspaceRoot, spec);
  round?.projects.set(keyOf(spec), project);
  return project;
}

/** createNodes: remember an analysis taken from the on-disk cache (graph-cache.ts) for this round. */
export function rememberForNodes(workspaceRoot: string, spec: ContainerProjectSpec, project: ContainerProject): void {
  if (memo?.workspaceRoot === workspaceRoot) memo.projects.set(keyOf(spec), project);
}

/** createDependencies: what createNodes analysed for this spec, if it did; else undefined. */
export function analyzedForNodes(workspaceRoot: string, spec: ContainerProjectSpec): ContainerProject | undefined {
  return memo?.workspaceRoot === workspaceRoot ? memo.projects.get(keyOf(spec)) : undefined;
}
