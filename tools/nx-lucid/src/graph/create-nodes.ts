import type { CreateNodes, CreateNodesResult, TargetConfiguration } from '@nx/devkit';
import { warn } from './nx-logger';
import { normalizePluginOptions, PluginOptions, PluginOptionsInput } from '../config/options';
import { ENV_OVERRIDES } from '../config/resolve';
import type { ContainerProject } from './project-analysis';
import { analyzeForNodes, startNodesRound } from './analysis-memo';
import { baseRefForCacheKey } from '../build/plan';
import { PluginScripts, pluginScripts } from './bin-command';
import { BuildCodeInput, buildCodeInputs } from './build-code-inputs';
import { PLUGIN_GLOB } from './dockerfile-files';
import { inferContainerProjects } from './infer';
import { imageKey } from './create-dependencies';
import { RELEASE_PUBLISH_TARGET, releasePublishTarget } from './release-publish-target';
import { SCHEMA_DEFAULTED, withoutDefaults } from './target-options';

let pluginDefaults: PluginOptions | undefined;
/** The plugin's option defaults (what each executor's schema defaults the same keys to). */
const defaultOptions = () => (pluginDefaults ??= normalizePluginOptions({}));

/** The plain Dockerfile name (a project's folder holds it); variants are found through PLUGIN_GLOB. */
export const DOCKERFILE_NAME = 'Dockerfile';
export const DOCKERFILE_GLOB = PLUGIN_GLOB;

/** Run-time overrides that change what a build produces: all hashed into the build. */
const ENV_INPUTS = Object.values(ENV_OVERRIDES).map((env) => ({ env }));
/**
 * Verify reads only LUCID_PLATFORMS (the platforms it requires); everything else comes from the build's
 * metadata.json and layout. src/verify/verify-build-output.spec.ts holds it to that.
 */
const VERIFY_ENV_INPUTS = [{ env: ENV_OVERRIDES.platforms }];

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
  return [...project.inputs, ...baseInput, ...ENV_INPUTS, ...codeInputs];
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
  const out = `{workspaceRoot}/${options.outputRoot}/${projectName}`;
  const shared = {
    registry: options.registry,
    ...(options.registries ? { registries: options.registries } : {}),
    repository: options.repository,
    platforms: options.platforms,
    outputPath: `${options.outputRoot}/${projectName}`,
  };
  const dockerfileError = project.error?.message;
  const slim = (executor: keyof typeof SCHEMA_DEFAULTED, values: Record<string, unknown>) =>
    withoutDefaults(values, SCHEMA_DEFAULTED[executor], defaultOptions());
  const metadataInput = { dependentTasksOutputFiles: '**/metadata.json', transitive: false };
  const targets: Record<string, TargetConfiguration> = {
    [t.build]: {
      executor: '@lucid/nx-lucid:build',
      cache: true,
      dependsOn:
        imageOwners === undefined
          ? [`^${t.build}`]
          : imageOwners.length
            ? [{ target: t.build, projects: imageOwners }]
            : [],
      inputs: containerBuildInputs(project, codeInputs, scripts),
      outputs: [`${out}/oci`, `${out}/metadata.json`],
      options: slim('build', {
        ...shared,
        dockerfile: project.dockerfile,
        context: project.context,
        ...(Object.keys(project.buildArgs).length ? { buildArgs: project.buildArgs } : {}),
        ...(project.target ? { target: project.target } : {}),
        engine: options.engine,
        buildCache: options.buildCache,
        attestations: options.attestations,
        registryMirrors: options.registryMirrors,
        insecureRegistries: options.insecureRegistries,
        ...(dockerfileError ? { dockerfileError } : {}),
      }),
      metadata: {
        description: `Build the ${options.platforms.join(' + ')} image index into ${options.outputRoot}/${projectName}/oci`,
        technologies: ['docker'],
      },
    },
    [t.scan]: {
      executor: '@lucid/nx-lucid:scan',
      cache: true,
      dependsOn: [t.build],
      inputs: [
        metadataInput,
        ...(options.gate.ignoreFile ? [`{workspaceRoot}/${options.gate.ignoreFile}`] : []),
        { runtime: scripts.trivyDbKey },
        // No LUCID_* inputs: scan reads none (its image, layout and platforms come from the build's metadata.json,
        // which the build's own env inputs already key); src/scan/scan-env.spec.ts holds it to that.
      ],
      outputs: [`${out}/scan`],
      options: slim('scan', { ...shared, gate: options.gate }),
      metadata: { description: 'Scan the built image with Trivy and apply the CVSS gate', technologies: ['docker'] },
    },
    [t.verify]: {
      executor: '@lucid/nx-lucid:verify',
      cache: true,
      dependsOn: [t.build],
      inputs: [metadataInput, ...VERIFY_ENV_INPUTS],
      outputs: [`${out}/verify.json`],
      options: slim('verify', { ...shared }),
      metadata: {
        description: 'Check the built image is distroless, non-root, labelled and complete',
        technologies: ['docker'],
      },
    },
    [t.push]: {
      executor: '@lucid/nx-lucid:push',
      cache: false,
      dependsOn: options.gate.enabled ? [t.build, t.scan] : [t.build],
      options: slim('push', {
        ...shared,
        latestOnBranch: options.latestOnBranch,
        insecureRegistries: options.insecureRegistries,
        tags: options.tags,
        ...(options.tagFlavor ? { tagFlavor: options.tagFlavor } : {}),
      }),
      metadata: {
        description: 'Push the built index by digest, then tag it (latest, sha, phase-sha, version)',
        technologies: ['docker'],
      },
    },
    [t.release]: {
      executor: '@lucid/nx-lucid:release',
      cache: false,
      options: slim('release', { ...shared, insecureRegistries: options.insecureRegistries }),
      metadata: {
        description: 'Version management in the registry: create | list | promote | rollback | delete',
        technologies: ['docker'],
      },
    },
  };
  targets[RELEASE_PUBLISH_TARGET] = releasePublishTarget(targets[t.push]);
  return targets;
}

export const createNodes: CreateNodes<PluginOptionsInput> = [
  DOCKERFILE_GLOB,
  async (files, rawOptions, context) => {
    const options = normalizePluginOptions(rawOptions);
    const disk = startNodesRound(context.workspaceRoot, files);
    const inferred = inferContainerProjects(disk, files, options);
    const results: Array<readonly [string, CreateNodesResult]> = [];
    const codeInputs = buildCodeInputs(context.workspaceRoot);
    const scripts = pluginScripts(context.workspaceRoot);
    const byImage = new Map(
      inferred.projects.map((p) => [imageKey(`${options.registry}/${options.repository}/${p.name}`), p.name]),
    );
    for (const p of inferred.projects) {
      const project = analyzeForNodes(context.workspaceRoot, p);
      const owners = (project.analysis?.externalImages ?? [])
        .map((i) => byImage.get(imageKey(i)))
        .filter((n): n is string => !!n && n !== p.name);
      if (project.error) {
        // One broken Dockerfile must not break the graph for the other projects; its build fails with this.
        warn(`@lucid/nx-lucid: ${project.error.message}`);
      }
      results.push([
        p.dockerfile,
        {
          projects: {
            [p.root]: {
              name: p.name,
              root: p.root,
              ...(p.tags ? { tags: p.tags } : {}),
              targets: containerTargets(
                project,
                p.name,
                options,
                codeInputs,
                p.waitForCopiedProjects ? undefined : [...new Set(owners)].sort(),
                scripts,
              ),
              metadata: { targetGroups: { Container: Object.values(options.targetNames) } },
            },
          },
        },
      ]);
    }
    return results;
  },
];
