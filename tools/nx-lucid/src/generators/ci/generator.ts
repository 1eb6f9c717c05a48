import { getProjects, joinPathFragments, logger, readNxJson, Tree } from '@nx/devkit';
import { phasesFromProjects, selectPhases } from '../../ci/phases';
import { generateDependabot, DEPENDABOT_FILE } from '../../ci/dependabot';
import { generateWorkflows, RemoteCacheMode } from '../../ci/workflows';
import { DOCKERFILE_NAME } from '../../plugin/create-nodes';
import { parseOptionsWith, normalizePluginOptions, PluginOptions } from '../../config/options';
import { CiGeneratorOptions, schema } from './options';

export const PLUGIN_NAME = '@lucid/nx-lucid';
export const WORKFLOWS_DIR = '.github/workflows';
/** The seed's hand-written workflows that the generated ones replace. */
export const LEGACY_WORKFLOWS = ['build-phase1.yml', 'build-phase2.yml', 'build-phase3.yml', 'build-phase4.yml', 'build-distroless.yml'];

/** The plugin's options as registered in nx.json (defaults when it is not registered). */
export function readPluginOptions(tree: Tree): PluginOptions {
  const entry = (readNxJson(tree)?.plugins ?? []).find((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN_NAME);
  if (!entry) logger.warn(`${PLUGIN_NAME} is not registered in nx.json (run nx g ${PLUGIN_NAME}:init); using its default options`);
  return normalizePluginOptions(entry && typeof entry !== 'string' ? entry.options : {});
}

export function parseCiOptions(raw: unknown): CiGeneratorOptions {
  return parseOptionsWith(schema, normalizeCliArrays(raw), 'ci');
}

/** `--phases=1,3` may arrive as "1,3" or ["1","3"] from the CLI. */
function normalizeCliArrays(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object') return raw;
  const out = { ...(raw as Record<string, unknown>) };
  const phases = out.phases;
  if (typeof phases === 'string' || typeof phases === 'number') out.phases = String(phases).split(',');
  if (Array.isArray(out.phases)) {
    out.phases = out.phases.flatMap((p) => String(p).split(',')).map((p) => p.trim()).filter(Boolean).map((p) => (/^[0-9]+$/.test(p) ? Number(p) : p));
  }
  return out;
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

export default async function ciGenerator(tree: Tree, rawOptions: unknown): Promise<void> {
  const options = parseCiOptions(rawOptions);
  const plugin = readPluginOptions(tree);
  const projects = [...getProjects(tree)].map(([name, project]) => ({
    name,
    tags: project.tags ?? [],
    hasDockerfile: tree.exists(joinPathFragments(project.root, DOCKERFILE_NAME)),
  }));
  const layout = phasesFromProjects(projects, plugin.phaseTagPrefix);
  if (layout.untagged.length) {
    logger.warn(`no ${plugin.phaseTagPrefix}<N> tag, so no CI phase builds them: ${layout.untagged.join(', ')}`);
  }
  const phases = selectPhases(layout, options.phases as number[] | undefined);
  const files = generateWorkflows({
    phases,
    parallel: options.parallel,
    sequentialPhases: options.sequentialPhases,
    arm64: options.arm64,
    runner: options.runner,
    arm64Runner: options.arm64Runner,
    nodeVersion: options.nodeVersion,
    trivyVersion: options.trivyVersion,
    affected: options.affected,
    remoteCache: resolveRemoteCache(tree, options.remoteCache),
    rescanCron: options.rescanCron,
    registry: plugin.registry,
    repository: plugin.repository,
    platforms: plugin.platforms,
    outputRoot: plugin.outputRoot,
    defaultBranch: plugin.latestOnBranch,
    targets: plugin.targetNames,
    isolationTask: findIsolationTask(tree),
    phaseTagPrefix: plugin.phaseTagPrefix,
    generatorOptions: recordedOptions(rawOptions),
  });
  for (const [file, text] of Object.entries(files)) tree.write(joinPathFragments(WORKFLOWS_DIR, file), text);
  const dependabot = joinPathFragments('.github', DEPENDABOT_FILE);
  tree.write(dependabot, generateDependabot(tree.read(dependabot, 'utf-8') ?? undefined));
  for (const legacy of LEGACY_WORKFLOWS) {
    const path = joinPathFragments(WORKFLOWS_DIR, legacy);
    if (tree.exists(path)) tree.delete(path);
  }
  logger.info(
    `${PLUGIN_NAME}:ci: ${phases.length} phase(s) (${phases.map((p) => `${p.phase}: ${p.services.length}`).join(', ')}), ` +
      `${options.sequentialPhases ? 'in order' : 'in parallel'}, arm64 ${options.arm64}; wrote ${Object.keys(files).map((f) => `${WORKFLOWS_DIR}/${f}`).join(', ')} and .github/${DEPENDABOT_FILE}`,
  );
}

/** auto: Nx Cloud when the workspace is connected to it, else Nx's self-hosted HTTP cache (off until configured). */
function resolveRemoteCache(tree: Tree, option: 'auto' | RemoteCacheMode): RemoteCacheMode {
  if (option !== 'auto') return option;
  const nx = readNxJson(tree) as { nxCloudId?: string; nxCloudAccessToken?: string } | null;
  return nx?.nxCloudId || nx?.nxCloudAccessToken ? 'nx-cloud' : 'self-hosted';
}

/** The options the user passed (not the defaults), so a later regeneration reproduces this one. */
function recordedOptions(raw: unknown): Record<string, unknown> {
  const parsed = normalizeCliArrays(raw ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(parsed).filter(([k, v]) => v !== undefined && k in schema.shape).sort(([a], [b]) => a.localeCompare(b)));
}
