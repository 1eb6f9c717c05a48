import type { CreateNodes, CreateNodesResult, TargetConfiguration } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { normalizePluginOptions, PluginOptions, PluginOptionsInput } from '../config/options';
import { ENV_OVERRIDES } from '../config/resolve';
import { analyzeContainerProject, ContainerProject, projectNameFor } from './project-analysis';
import { baseRefForCacheKey } from '../image-build/plan';
import { binCommand } from '../package/bin-command';
import { BuildCodeInput, buildCodeInputs } from '../cache/build-code-inputs';

/** Nx matches plugin globs before options are known, so the file name is fixed. */
export const DOCKERFILE_NAME = 'Dockerfile';
export const DOCKERFILE_GLOB = `**/${DOCKERFILE_NAME}`;

/** Paths that hold Dockerfiles which are not projects of this workspace. */
const IGNORED = /(^|\/)(node_modules|dist|tmp|\.nx|\.lucid)\//;

/** Run-time overrides that change what a build produces; hashed into build, scan and verify. */
const ENV_INPUTS = Object.values(ENV_OVERRIDES).map((env) => ({ env }));

export function containerTargets(
  project: ContainerProject,
  projectName: string,
  options: PluginOptions,
  /** The plugin code and npm packages that decide image content (src/cache/build-code-inputs.ts). */
  codeInputs: BuildCodeInput[] = [],
): Record<string, TargetConfiguration> {
  const t = options.targetNames;
  const out = `{workspaceRoot}/${options.outputRoot}/${projectName}`;
  const shared = {
    registry: options.registry,
    repository: options.repository,
    platforms: options.platforms,
    outputPath: `${options.outputRoot}/${projectName}`,
  };
  const dockerfileError = project.error?.message;
  const metadataInput = { dependentTasksOutputFiles: '**/metadata.json', transitive: false };
  // The base tag's current digest is a build input: a moved tag must rebuild (one skopeo call per distinct base).
  const baseRef = project.analysis ? baseRefForCacheKey(project.analysis.stages) : undefined;
  const baseInput = baseRef ? [{ runtime: binCommand('base-digest.js', [baseRef]) }] : [];
  const targets: Record<string, TargetConfiguration> = {
    [t.build]: {
      executor: '@lucid/nx-lucid:build',
      cache: true,
      dependsOn: [`^${t.build}`],
      inputs: [...project.inputs, ...baseInput, ...ENV_INPUTS, ...codeInputs],
      outputs: [`${out}/oci`, `${out}/metadata.json`],
      options: {
        ...shared,
        dockerfile: project.dockerfile,
        context: '.',
        engine: options.engine,
        buildCache: options.buildCache,
        attestations: options.attestations,
        registryMirrors: options.registryMirrors,
        insecureRegistries: options.insecureRegistries,
        ...(dockerfileError ? { dockerfileError } : {}),
      },
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
        { runtime: binCommand('trivy-db-key.js') },
        ...ENV_INPUTS,
      ],
      outputs: [`${out}/scan`],
      options: { ...shared, gate: options.gate },
      metadata: { description: 'Scan the built image with Trivy and apply the CVSS gate', technologies: ['docker'] },
    },
    [t.verify]: {
      executor: '@lucid/nx-lucid:verify',
      cache: true,
      dependsOn: [t.build],
      inputs: [metadataInput, ...ENV_INPUTS],
      outputs: [`${out}/verify.json`],
      options: { ...shared },
      metadata: { description: 'Check the built image is distroless, non-root, labelled and complete', technologies: ['docker'] },
    },
    [t.push]: {
      executor: '@lucid/nx-lucid:push',
      cache: false,
      dependsOn: options.gate.enabled ? [t.build, t.scan] : [t.build],
      options: { ...shared, latestOnBranch: options.latestOnBranch, insecureRegistries: options.insecureRegistries },
      metadata: { description: 'Push the built index by digest, then tag it (latest, sha, phase-sha, version)', technologies: ['docker'] },
    },
    [t.release]: {
      executor: '@lucid/nx-lucid:release',
      cache: false,
      options: { ...shared, insecureRegistries: options.insecureRegistries },
      metadata: { description: 'Version management in the registry: create | list | promote | rollback | delete', technologies: ['docker'] },
    },
  };
  return targets;
}

export const createNodes: CreateNodes<PluginOptionsInput> = [
  DOCKERFILE_GLOB,
  async (dockerfiles, rawOptions, context) => {
    const options = normalizePluginOptions(rawOptions);
    const results: Array<readonly [string, CreateNodesResult]> = [];
    const codeInputs = buildCodeInputs(context.workspaceRoot);
    for (const dockerfile of dockerfiles) {
      if (IGNORED.test(dockerfile)) continue;
      const project = analyzeContainerProject(context.workspaceRoot, dockerfile);
      if (project.error) {
        // One broken Dockerfile must not break the graph for the other projects; its build fails with this.
        logger.warn(`@lucid/nx-lucid: ${project.error.message}`);
      }
      const name = projectNameFor(context.workspaceRoot, project.root);
      results.push([
        dockerfile,
        {
          projects: {
            [project.root]: {
              root: project.root,
              targets: containerTargets(project, name, options, codeInputs),
              metadata: { targetGroups: { Container: Object.values(options.targetNames) } },
            },
          },
        },
      ]);
    }
    return results;
  },
];
