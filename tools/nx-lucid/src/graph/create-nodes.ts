import type { CreateNodes, CreateNodesResult, TargetConfiguration } from '@nx/devkit';
import { warn } from './nx-logger';
import type { PluginOptions, PluginOptionsInput } from '../config/options';
import { ENV_OVERRIDES } from '../config/env-overrides';
import type { ContainerProject } from './project-analysis';
import { startNodesRound } from './analysis-memo';
import { cachedComposeBlocks, cachedProjectNode, NodeEntry, NodesRound } from './cached-nodes';
import type { ComposeBuildBlocks } from './compose';
import { GraphCache, keyHash, pluginCodeHash } from './graph-cache';
import { baseRefForCacheKey } from '../build/plan';
import { PluginScripts, pluginScripts } from './bin-command';
import { BuildCodeInput, buildCodeInputs } from './build-code-inputs';
import { PLUGIN_GLOB } from './dockerfile-files';
import { inferContainerProjects } from './infer';
import { workspaceRepository } from './workspace-repository';
import { imageKey } from './create-dependencies';
import { RELEASE_PUBLISH_TARGET, releasePublishTarget } from './release-publish-target';
import { roundSlimmer, SCHEMA_DEFAULTED } from './target-options';
import { normalizedPluginOptions } from './plugin-options-cache';

/** The plain Dockerfile name (a project's folder holds it); variants are found through PLUGIN_GLOB. */
export const DOCKERFILE_NAME = 'Dockerfile';
export const DOCKERFILE_GLOB = PLUGIN_GLOB;

/** Run-time overrides that change what a build produces: all hashed into the build. */
const ENV_INPUTS = Object.values(ENV_OVERRIDES).map((env) => ({ env }));
/**
 * Verify reads only LUCID_PLATFORMS (the platforms it requires) and LUCID_REPOSITORY (the source label it
 * requires, as the build labels it); everything else comes from the build's metadata.json and layout.
 * src/verify/verify-build-output.spec.ts holds it to that.
 */
const VERIFY_ENV_INPUTS = [{ env: ENV_OVERRIDES.platforms }, { env: ENV_OVERRIDES.repository }];
/**
 * `nx release --dry-run` sets NX_DRY_RUN=true for the build and scan its publish depends on, and they only plan:
 * a plan must never be stored or restored under a real run's cache key.
 */
const DRY_RUN_INPUT = { env: 'NX_DRY_RUN' };

/**
 * container-build's inputs: exactly what the build reads (Dockerfile, ignore file, COPY/ADD sources minus
 * the ignore file's exclusions), the base tag's current digest (a moved tag must rebuild; one skopeo call per
 * distinct base) and the run-time overrides.
 */
export function containerBuildInputs(
  project: ContainerProject,
  codeInputs: BuildCodeInput[] = [],
  scripts: PluginScripts = pluginScripts(),
): TargetConfiguration['inputs'] {
  const baseRef = project.analysis ? baseRefForCacheKey(project.analysis.stages) : undefined;
  const baseInput = baseRef ? [{ runtime: scripts.baseDigest(baseRef) }] : [];
  return [...project.inputs, ...baseInput, ...ENV_INPUTS, DRY_RUN_INPUT, ...codeInputs];
}

/** What every target of one project is made from (one per project, shared by its target builders). */
interface TargetContext {
  project: ContainerProject;
  projectName: string;
  options: PluginOptions;
  /** `{workspaceRoot}/<outputRoot>/<project>`: where the build output and the later steps' files are. */
  out: string;
  /** The plugin-wide options every target passes (an executor's schema defaults the rest from config). */
  shared: Record<string, unknown>;
  /** Drops the values the executor's schema would default to anyway (target-options.ts). */
  slim: (executor: keyof typeof SCHEMA_DEFAULTED, values: Record<string, unknown>) => Record<string, unknown>;
}

/** A target's metadata as @nx/docker's: what it does, and the command that prints every option with its description. */
function targetMetadata(
  ctx: TargetContext,
  target: string,
  description: string,
  example: { options?: Record<string, unknown>; args?: string[] },
): TargetConfiguration['metadata'] {
  return {
    description,
    technologies: ['docker'],
    help: { command: `npx nx run ${ctx.projectName}:${target} --help`, example },
  };
}

function buildTarget(
  ctx: TargetContext,
  codeInputs: BuildCodeInput[],
  imageOwners: string[] | undefined,
  scripts: PluginScripts,
): TargetConfiguration {
  const { project, options, out } = ctx;
  const dockerfileError = project.error?.message;
  return {
    executor: '@lucid/nx-lucid:build',
    cache: true,
    dependsOn:
      imageOwners === undefined
        ? [`^${options.targetNames.build}`]
        : imageOwners.length
          ? [{ target: options.targetNames.build, projects: imageOwners }]
          : [],
    inputs: containerBuildInputs(project, codeInputs, scripts),
    outputs: [`${out}/oci`, `${out}/metadata.json`],
    options: ctx.slim('build', {
      ...ctx.shared,
      dockerfile: project.dockerfile,
      context: project.context,
      ...(Object.keys(project.buildArgs).length ? { buildArgs: project.buildArgs } : {}),
      ...(project.target ? { target: project.target } : {}),
      engine: options.engine,
      buildCache: options.buildCache,
      attestations: options.attestations,
      registryMirrors: options.registryMirrors,
      insecureRegistries: options.insecureRegistries,
      phaseTagPrefix: options.phaseTagPrefix,
      ...(dockerfileError ? { dockerfileError } : {}),
    }),
    metadata: targetMetadata(
      ctx,
      options.targetNames.build,
      `Build the ${options.platforms.join(' + ')} image index into ${options.outputRoot}/${ctx.projectName}/oci`,
      { options: { dryRun: true } },
    ),
  };
}

const METADATA_INPUT = { dependentTasksOutputFiles: '**/metadata.json', transitive: false };

function scanTarget(ctx: TargetContext, scripts: PluginScripts): TargetConfiguration {
  const { options, out } = ctx;
  return {
    executor: '@lucid/nx-lucid:scan',
    cache: true,
    dependsOn: [options.targetNames.build],
    inputs: [
      METADATA_INPUT,
      ...(options.gate.ignoreFile ? [`{workspaceRoot}/${options.gate.ignoreFile}`] : []),
      { runtime: scripts.trivyDbKey },
      DRY_RUN_INPUT,
      // No LUCID_* inputs: scan reads none (its image, layout and platforms come from the build's metadata.json,
      // which the build's own env inputs already key); src/scan/scan-env.spec.ts holds it to that.
    ],
    outputs: [`${out}/scan`],
    options: ctx.slim('scan', {
      ...ctx.shared,
      gate: options.gate,
      insecureRegistries: options.insecureRegistries,
    }),
    metadata: targetMetadata(ctx, options.targetNames.scan, 'Scan the built image with Trivy and apply the CVSS gate', {
      options: { platform: 'linux/amd64' },
    }),
  };
}

function verifyTarget(ctx: TargetContext): TargetConfiguration {
  const { options, out } = ctx;
  return {
    executor: '@lucid/nx-lucid:verify',
    cache: true,
    dependsOn: [options.targetNames.build],
    inputs: [METADATA_INPUT, ...VERIFY_ENV_INPUTS],
    outputs: [`${out}/verify.json`],
    options: ctx.slim('verify', { ...ctx.shared }),
    metadata: targetMetadata(
      ctx,
      options.targetNames.verify,
      'Check the built image is distroless, non-root, labelled and complete',
      { options: { additionalForbiddenPaths: ['/usr/bin/curl'] } },
    ),
  };
}

function pushTarget(ctx: TargetContext): TargetConfiguration {
  const { options } = ctx;
  const t = options.targetNames;
  return {
    executor: '@lucid/nx-lucid:push',
    cache: false,
    dependsOn: options.gate.enabled ? [t.build, t.scan] : [t.build],
    options: ctx.slim('push', {
      ...ctx.shared,
      latestOnBranch: options.latestOnBranch,
      insecureRegistries: options.insecureRegistries,
      tags: options.tags,
      ...(options.tagFlavor ? { tagFlavor: options.tagFlavor } : {}),
      phaseTagPrefix: options.phaseTagPrefix,
    }),
    metadata: targetMetadata(
      ctx,
      t.push,
      'Push the built index by digest, then tag it (latest, sha, phase-sha, version)',
      { options: { releaseVersion: '1.2.0', dryRun: true } },
    ),
  };
}

function releaseTarget(ctx: TargetContext): TargetConfiguration {
  const { options } = ctx;
  return {
    executor: '@lucid/nx-lucid:release',
    cache: false,
    options: ctx.slim('release', {
      ...ctx.shared,
      insecureRegistries: options.insecureRegistries,
      ...(options.requireAttestations ? { requireAttestations: options.requireAttestations } : {}),
      retention: options.retention,
    }),
    metadata: targetMetadata(
      ctx,
      options.targetNames.release,
      'Version management in the registry: create | list | promote | rollback | delete | prune | usage',
      { args: ['promote', 'v1.2.0', '--dry-run'] },
    ),
  };
}

type Slimmer = ReturnType<typeof roundSlimmer>;
/** One per options object: a createNodes round's projects share it (startRound registers it with the defaults). */
const slimmers = new WeakMap<PluginOptions, Slimmer>();

function slimmerFor(options: PluginOptions, defaults?: PluginOptions): Slimmer {
  let slimmer = slimmers.get(options);
  if (!slimmer) {
    // Outside a round (specs, tools): the defaults from the schema itself.
    const fallback = () => (require('../config/options') as typeof import('../config/options')).PLUGIN_DEFAULTS;
    slimmers.set(options, (slimmer = roundSlimmer(defaults ?? fallback())));
  }
  return slimmer;
}

export function containerTargets(
  project: ContainerProject,
  projectName: string,
  options: PluginOptions,
  /** The plugin code and npm packages that decide image content (graph/build-code-inputs.ts). */
  codeInputs: BuildCodeInput[] = [],
  /** Set when the project does not wait for every project it reads: the projects whose images it FROMs. */
  imageOwners?: string[],
  /** The runtime-input commands (worked out once per createNodes round). */
  scripts: PluginScripts = pluginScripts(),
): Record<string, TargetConfiguration> {
  const t = options.targetNames;
  const ctx: TargetContext = {
    project,
    projectName,
    options,
    out: `{workspaceRoot}/${options.outputRoot}/${projectName}`,
    shared: {
      registry: options.registry,
      ...(options.registries ? { registries: options.registries } : {}),
      repository: options.repository,
      platforms: options.platforms,
      outputPath: `${options.outputRoot}/${projectName}`,
    },
    slim: (executor, values) => slimmerFor(options)(SCHEMA_DEFAULTED[executor], values),
  };
  const targets: Record<string, TargetConfiguration> = {
    [t.build]: buildTarget(ctx, codeInputs, imageOwners, scripts),
    [t.scan]: scanTarget(ctx, scripts),
    [t.verify]: verifyTarget(ctx),
    [t.push]: pushTarget(ctx),
    [t.release]: releaseTarget(ctx),
  };
  targets[RELEASE_PUBLISH_TARGET] = releasePublishTarget(
    targets[t.push],
    targetMetadata(
      ctx,
      RELEASE_PUBLISH_TARGET,
      'nx release publish: push the built, scanned image by digest with the release version tags',
      { options: { dryRun: true } },
    ),
    options.requireAttestations,
  );
  return targets;
}

/** The round's inputs besides each project: Nx's options, the code inputs and the runtime-input commands. */
async function startRound(files: readonly string[], rawOptions: PluginOptionsInput | undefined, workspaceRoot: string) {
  const { configured, defaults } = normalizedPluginOptions(workspaceRoot, rawOptions);
  // Unset repository: the user's own (GITHUB_REPOSITORY, else the origin remote), baked into every target's options.
  const repository = await workspaceRepository(workspaceRoot, configured.repository, process.env);
  const options: PluginOptions = { ...configured, repository };
  slimmerFor(options, defaults);
  const codeInputs = buildCodeInputs(workspaceRoot);
  const scripts = pluginScripts(workspaceRoot);
  const round: NodesRound = {
    workspaceRoot,
    files: startNodesRound(workspaceRoot, files),
    cache: GraphCache.forPlugin<NodeEntry>(workspaceRoot, rawOptions ?? {}, pluginCodeHash),
    roundKey: keyHash([options, codeInputs, scripts]),
  };
  const composeCache = GraphCache.forPlugin<ComposeBuildBlocks>(workspaceRoot, 'compose build blocks', pluginCodeHash);
  return { options, codeInputs, scripts, round, composeCache };
}

export const createNodes: CreateNodes<PluginOptionsInput> = [
  DOCKERFILE_GLOB,
  async (files, rawOptions, context) => {
    const { options, codeInputs, scripts, round, composeCache } = await startRound(
      files,
      rawOptions,
      context.workspaceRoot,
    );
    const inferred = inferContainerProjects(round.files, files, options, cachedComposeBlocks(composeCache));
    composeCache.save();
    const results: Array<readonly [string, CreateNodesResult]> = [];
    const byImage = new Map(
      inferred.projects.map((p) => [imageKey(`${options.registry}/${options.repository}/${p.name}`), p.name]),
    );
    for (const p of inferred.projects) {
      const ownersOf = (project: ContainerProject) =>
        p.waitForCopiedProjects
          ? null
          : [
              ...new Set(
                (project.analysis?.externalImages ?? [])
                  .map((i) => byImage.get(imageKey(i)))
                  .filter((n): n is string => !!n && n !== p.name),
              ),
            ].sort();
      const { project, node } = cachedProjectNode(round, p, ownersOf, (analysed, owners) => ({
        name: p.name,
        root: p.root,
        ...(p.tags ? { tags: p.tags } : {}),
        targets: containerTargets(analysed, p.name, options, codeInputs, owners ?? undefined, scripts),
        metadata: { targetGroups: { Container: Object.values(options.targetNames) } },
      }));
      // One broken Dockerfile must not break the graph for the other projects; its build fails with this.
      if (project.error) warn(`@lucid/nx-lucid: ${project.error.message}`);
      results.push([p.dockerfile, { projects: { [p.root]: node } }]);
    }
    round.cache.save();
    return results;
  },
];
