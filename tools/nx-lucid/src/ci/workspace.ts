/**
 * What the ci generator reads from a workspace tree: the plugin's options in nx.json, the container services
 * and their phases, the isolation task, and whether the workspace uses Nx Cloud. Pure reads of the tree.
 */
import { getProjects, joinPathFragments, logger, readNxJson, Tree } from '@nx/devkit';
import { normalizePluginOptions, PluginOptions, registryList } from '../config/options';
import { DOCKERFILE_NAME } from '../graph/create-nodes';
import type { CiWorkflowInput, RemoteCacheMode } from './input';
import { detectPackageManager, PackageManager } from './package-manager';
import { phasesFromProjects, selectPhases } from './phases';

export const PLUGIN_NAME = '@lucid/nx-lucid';
export const WORKFLOWS_DIR = '.github/workflows';
/** The seed's hand-written workflows that the generated ones replace. */
export const LEGACY_WORKFLOWS = [
  'build-phase1.yml',
  'build-phase2.yml',
  'build-phase3.yml',
  'build-phase4.yml',
  'build-distroless.yml',
];

/** The plugin's options exactly as nx.json registers them ({} when it is not registered). */
function rawPluginOptions(tree: Tree, warn: boolean): Record<string, unknown> {
  const entry = (readNxJson(tree)?.plugins ?? []).find((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN_NAME);
  if (!entry && warn)
    logger.warn(
      `${PLUGIN_NAME} is not registered in nx.json (run nx g ${PLUGIN_NAME}:init); using its default options`,
    );
  const options = entry && typeof entry !== 'string' ? entry.options : undefined;
  return options && typeof options === 'object' ? (options as Record<string, unknown>) : {};
}

/** The plugin's options as registered in nx.json (defaults when it is not registered). */
export function readPluginOptions(tree: Tree): PluginOptions {
  return normalizePluginOptions(rawPluginOptions(tree, true));
}

/** The workspace's package manager, from package.json's packageManager and the lockfile at the root. */
export function readPackageManager(tree: Tree): PackageManager {
  const text = tree.read('package.json', 'utf-8');
  const parse = (): { packageManager?: unknown } | null => {
    try {
      return text ? (JSON.parse(text) as { packageManager?: unknown }) : null;
    } catch (e) {
      throw new Error(`package.json: ${(e as Error).message}`, { cause: e });
    }
  };
  return detectPackageManager((file) => tree.exists(file), parse());
}

/** `project:target` of the workspace's isolation check, if a project has one. */
function findIsolationTask(tree: Tree): string | null {
  for (const [name, project] of getProjects(tree)) {
    for (const [target, config] of Object.entries(project.targets ?? {})) {
      if (config.executor === `${PLUGIN_NAME}:isolation`) return `${name}:${target}`;
    }
  }
  return null;
}

/** auto: Nx Cloud when the workspace is connected to it, else Nx's self-hosted HTTP cache (off until configured). */
function resolveRemoteCache(tree: Tree, option: 'auto' | RemoteCacheMode): RemoteCacheMode {
  if (option !== 'auto') return option;
  const nx = readNxJson(tree) as { nxCloudId?: string; nxCloudAccessToken?: string } | null;
  return nx?.nxCloudId || nx?.nxCloudAccessToken ? 'nx-cloud' : 'self-hosted';
}

export type CiChoices = Pick<
  CiWorkflowInput,
  | 'parallel'
  | 'sequentialPhases'
  | 'arm64'
  | 'runner'
  | 'arm64Runner'
  | 'nodeVersion'
  | 'trivyVersion'
  | 'affected'
  | 'rescanCron'
  | 'pruneCron'
> & {
  phases?: number[];
  remoteCache: 'auto' | RemoteCacheMode;
};

/** The workflow input for this workspace and these generator choices. */
export function ciInputFromTree(
  tree: Tree,
  choices: CiChoices,
  generatorOptions: Record<string, unknown>,
): CiWorkflowInput {
  const plugin = readPluginOptions(tree);
  const projects = [...getProjects(tree)].map(([name, project]) => ({
    name,
    tags: project.tags ?? [],
    hasDockerfile: tree.exists(joinPathFragments(project.root, DOCKERFILE_NAME)),
  }));
  const layout = phasesFromProjects(projects, plugin.phaseTagPrefix);
  if (layout.untagged.length)
    logger.info(`no ${plugin.phaseTagPrefix}<N> tag: built in the CI's untagged shard: ${layout.untagged.join(', ')}`);
  const { phases, remoteCache, ...rest } = choices;
  // Configured in nx.json, it is written into the workflows; else each job takes its own repository at run time.
  const configured = rawPluginOptions(tree, false).repository;
  return {
    ...rest,
    phases: selectPhases(layout, phases),
    onlyPhases: phases?.length ? [...new Set(phases)].sort((a, b) => a - b) : undefined,
    packageManager: readPackageManager(tree),
    remoteCache: resolveRemoteCache(tree, remoteCache),
    registry: plugin.registry,
    registries: registryList(plugin),
    repository: typeof configured === 'string' && configured ? plugin.repository : undefined,
    platforms: plugin.platforms,
    outputRoot: plugin.outputRoot,
    defaultBranch: plugin.latestOnBranch,
    targets: plugin.targetNames,
    isolationTask: findIsolationTask(tree),
    phaseTagPrefix: plugin.phaseTagPrefix,
    generatorOptions,
  };
}
