/**
 * For the graph cache's specs (here and in e2e/): the files Nx would hand the plugin in a tree, and one full
 * createNodes + createDependencies pass over them as Nx runs it.
 */
import type { CreateDependenciesContext, CreateNodesContext, ProjectConfiguration } from '@nx/devkit';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Minimatch } from 'minimatch';
import type { PluginOptionsInput } from '../../src/config/options';
import { createDependencies } from '../../src/graph/create-dependencies';
import { createNodes } from '../../src/graph/create-nodes';
import { PLUGIN_GLOB } from '../../src/graph/dockerfile-files';

const NOT_WALKED = new Set(['node_modules', '.git', '.nx', 'dist']);

function filesMatching(root: string, glob: Minimatch, dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory() && !NOT_WALKED.has(entry.name)) out.push(...filesMatching(root, glob, path));
    else if (entry.isFile() && glob.match(path)) out.push(path);
  }
  return out.sort();
}

/** Workspace-relative files matching the plugin's glob, sorted (folders Nx ignores are not walked). */
export function pluginFilesIn(root: string, dir = ''): string[] {
  return filesMatching(root, new Minimatch(PLUGIN_GLOB, { dot: true }), dir);
}

/** The projects Nx's project.json plugin adds (named ones), by root: the targets of COPY edges. */
function manifestProjects(root: string): Record<string, ProjectConfiguration> {
  const out: Record<string, ProjectConfiguration> = {};
  for (const file of filesMatching(root, new Minimatch('**/project.json', { dot: true }), '')) {
    const name = JSON.parse(readFileSync(join(root, file), 'utf8')).name;
    const projectRoot = posix.dirname(file);
    if (typeof name === 'string') out[projectRoot] = { name, root: projectRoot };
  }
  return out;
}

export interface GraphPass {
  /** createNodes' results by project root. */
  nodes: Record<string, ProjectConfiguration>;
  deps: Awaited<ReturnType<typeof createDependencies>>;
}

/** createNodes over `files`, then createDependencies over the projects it made, as Nx calls them. */
export async function graphPass(root: string, files: string[], options: PluginOptionsInput): Promise<GraphPass> {
  const nodesContext = { workspaceRoot: root, nxJsonConfiguration: {} } as unknown as CreateNodesContext;
  const results = await createNodes[1](files, options, nodesContext);
  const nodes: Record<string, ProjectConfiguration> = {};
  for (const [, result] of results as Array<readonly [string, { projects?: Record<string, ProjectConfiguration> }]>)
    Object.assign(nodes, result.projects ?? {});
  // The plugin's nodes merged over the project.json ones, as Nx merges them (by root).
  const merged: Record<string, ProjectConfiguration> = { ...manifestProjects(root) };
  for (const [projectRoot, node] of Object.entries(nodes)) merged[projectRoot] = { ...merged[projectRoot], ...node };
  const projects = Object.fromEntries(Object.values(merged).map((p) => [p.name!, p]));
  const depsContext = {
    workspaceRoot: root,
    projects,
    nxJsonConfiguration: {},
    externalNodes: {},
    fileMap: { projectFileMap: {}, nonProjectFiles: [] },
    filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
  } as unknown as CreateDependenciesContext;
  const deps = await createDependencies(options, depsContext);
  return { nodes, deps };
}
