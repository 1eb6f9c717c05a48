import { logger, readNxJson, Tree, updateNxJson } from '@nx/devkit';
import { parseOptionsWith, pluginOptionsSchema } from '../../../config/options';
import { PLUGIN_NAME } from '../ci/generator';
import { planAdoption } from '../../../graph/adopt/adopt';
import { SEED_CATALOGUE } from '../../../graph/adopt/catalogue';
import { adoptionReport, adoptionWarnings, pluginFiles } from '../../../graph/adopt/report';
import { schema } from './options';
import { isolationSetup } from '../../../isolation/adoption-setup';
import { writeIsolationTarget } from './isolation-target';
import { MISSING_REPOSITORY } from '../../../config/repository';
import { findWorkspaceRepository } from '../../../graph/workspace-repository';

/** Which image repository the workspace's images get, and where that comes from (or what to set). */
async function repositoryReport(root: string, configured: string | undefined): Promise<string> {
  const found = await findWorkspaceRepository(root, configured, process.env);
  return found
    ? `image repository: ${found.repository} (from ${found.source}; images are <registry>/${found.repository}/<project>)`
    : `image repository: none yet, ${MISSING_REPOSITORY}`;
}

/** The options written for a new registration: the explicit subset a person is likely to change. */
export function defaultPluginOptions(overrides: { registry?: string; repository?: string } = {}) {
  const d = pluginOptionsSchema.parse({ ...overrides });
  return {
    registry: d.registry,
    // Unset: the workspace's own (GITHUB_REPOSITORY, else the origin remote), worked out when the graph is built.
    ...(d.repository ? { repository: d.repository } : {}),
    platforms: d.platforms,
    engine: d.engine,
    gate: { cvssThreshold: d.gate.cvssThreshold, severity: d.gate.severity, ignoreUnfixed: d.gate.ignoreUnfixed },
    phaseTagPrefix: d.phaseTagPrefix,
    latestOnBranch: d.latestOnBranch,
  };
}

export default async function initGenerator(tree: Tree, rawOptions: unknown): Promise<void> {
  const { catalogue, ...options } = parseOptionsWith(schema, rawOptions, 'init');
  // Validates registry/repository with the plugin's own rules before anything is written.
  const overrides = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const base = parseOptionsWith(pluginOptionsSchema, overrides, 'init');

  const nxJson = readNxJson(tree);
  if (!nxJson) throw new Error('nx.json not found: run this generator in an Nx workspace');
  const plugins = nxJson.plugins ?? [];
  if (plugins.some((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN_NAME)) {
    logger.info(`${PLUGIN_NAME} is already registered in nx.json; nothing to change`);
    return;
  }
  // Adoption: the repository's Dockerfiles and compose files decide names, tags, contexts (see adopt/adopt.ts).
  const files = {
    exists: (p: string) => tree.exists(p),
    read: (p: string) => tree.read(p, 'utf-8') ?? '',
    kind: (p: string) => (tree.exists(p) ? (tree.isFile(p) ? ('file' as const) : ('directory' as const)) : undefined),
    children: (p: string) => tree.children(p),
  };
  const plan = planAdoption(files, pluginFiles(tree), catalogue ?? SEED_CATALOGUE, base);
  // An adopted repository's builds wait only for the images they FROM: what they COPY is among their inputs.
  const adopted = plan.layout.dockerfiles
    ? { waitForCopiedProjects: false, ...(Object.keys(plan.projects).length ? { projects: plan.projects } : {}) }
    : {};
  nxJson.plugins = [...plugins, { plugin: PLUGIN_NAME, options: { ...defaultPluginOptions(overrides), ...adopted } }];
  updateNxJson(tree, nxJson);
  const repository = await repositoryReport(tree.root, base.repository);
  logger.info(`registered ${PLUGIN_NAME} in nx.json\n${repository}\n${adoptionReport(plan)}`);
  // The TRON rules, when the TRON services were mapped (isolation/adoption-setup.ts).
  const isolation = isolationSetup(plan.mapped, catalogue ?? SEED_CATALOGUE, base.phaseTagPrefix);
  if (isolation) logger.info(writeIsolationTarget(tree, isolation));
  const warnings = adoptionWarnings(plan);
  if (warnings) logger.warn(warnings);
}
