/**
 * container-build: validate everything, plan, then run one engine and assemble
 * <outputPath>/oci + <outputPath>/metadata.json. Nothing is built until every check has passed.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, writeArtifact } from '../artifacts/artifacts';
import { formatCommand, runProcess } from '../boundary/process';
import { EngineBuildPlan } from '../engines/engine';
import { selectEngine } from '../engines/select';
import { phaseFromTags } from '../config/phase';
import { githubSourceUrl, imageLabels, indexAnnotations, packageJsonField, pyprojectField } from '../image/labels';
import { imageName } from '../image/naming';
import { BuildMetadata, METADATA_FILE, parseBuildMetadata } from '../metadata/metadata';
import { SUPPORTED_PLATFORMS } from '../config/options';
import { readEnvOverrides, resolveConfig } from '../config/resolve';
import { ignoreFileFor } from '../plugin/project-analysis';
import { assembleLayout } from './assemble';
import type { BuildRequest, PreparedBuild } from './build-request';
import { readGitInfo, registeredEmulators, resolveDigest } from './environment';
import {
  dockerfileStages,
  foreignRunProblems,
  hostPlatform,
  inputProblems,
  pinnedReference,
  planBaseImage,
} from './plan';

export type { BuildDeps, BuildOptions, BuildRequest, PreparedBuild } from './build-request';

export class BuildInputError extends Error {
  constructor(project: string, problems: string[]) {
    super(`container-build ${project}: nothing was built:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'BuildInputError';
  }
}

function projectField(
  workspaceRoot: string,
  projectRoot: string,
  field: 'version' | 'description',
): string | undefined {
  const pyproject = join(workspaceRoot, projectRoot, 'pyproject.toml');
  if (existsSync(pyproject)) {
    const v = pyprojectField(readFileSync(pyproject, 'utf8'), field);
    if (v) return v;
  }
  const pkg = join(workspaceRoot, projectRoot, 'package.json');
  return existsSync(pkg) ? packageJsonField(readFileSync(pkg, 'utf8'), field) : undefined;
}

/** Every check that needs no builder, then the engine choice and the base digest. Throws before anything is built. */
export async function prepareBuild(req: BuildRequest): Promise<PreparedBuild> {
  const { options, workspaceRoot, project } = req;
  if (options.dockerfileError) throw new BuildInputError(project, [options.dockerfileError]);

  // Same overrides as the graph's other targets; platforms are checked below with every other problem.
  const { engine, buildCache, registryMirrors, insecureRegistries } = options;
  const plugin = resolveConfig({ engine, buildCache, registryMirrors, insecureRegistries }, req.env);
  // The image name and platforms are taken unchecked from the options (problems are collected below).
  const overrides = readEnvOverrides(req.env);
  const registry = overrides.registry ?? options.registry;
  const repository = overrides.repository ?? options.repository;
  const platforms = overrides.platforms ?? options.platforms;

  const problems = inputProblems({ platforms, supportedPlatforms: SUPPORTED_PLATFORMS, buildArgs: options.buildArgs });
  let image = '';
  try {
    image = imageName(registry, repository, project);
  } catch (e) {
    problems.push(`invalid image name: ${(e as Error).message}`);
  }
  const dockerfilePath = join(workspaceRoot, options.dockerfile);
  if (!existsSync(dockerfilePath)) problems.push(`Dockerfile ${options.dockerfile} does not exist`);
  if (!existsSync(join(workspaceRoot, options.context)))
    problems.push(`build context ${options.context} does not exist`);
  if (problems.length) throw new BuildInputError(project, problems);

  const { stages } = dockerfileStages(readFileSync(dockerfilePath, 'utf8'), options.buildArgs, options.dockerfile);
  const host = hostPlatform(arch());
  const foreign = foreignRunProblems(options.dockerfile, stages, platforms, host, registeredEmulators());
  if (foreign.length) throw new BuildInputError(project, foreign);

  const selected = await selectEngine(plugin.engine, req.env);
  req.log(`${selected.reason} (${selected.engine.name} ${selected.version})`);

  const git = await readGitInfo(workspaceRoot);
  const version = options.version ?? projectField(workspaceRoot, req.projectRoot, 'version') ?? '0.0.0';
  const sourceUrl =
    options.sourceUrl ??
    (git.remote ? githubSourceUrl(git.remote) : undefined) ??
    `https://github.com/${repository.split('/').slice(0, 2).join('/')}`;
  const phase = phaseFromTags(req.tags, options.phaseTagPrefix);
  const labels = imageLabels({
    sourceUrl,
    revision: git.sha,
    version,
    created: new Date(git.commitTime * 1000).toISOString(),
    title: project,
    description: projectField(workspaceRoot, req.projectRoot, 'description'),
    phase,
  });

  const buildArgs = { ...options.buildArgs };
  const basePlan = planBaseImage(stages, plugin.registryMirrors, plugin.insecureRegistries);
  let base: PreparedBuild['base'] = null;
  if (basePlan) {
    let digest: string;
    try {
      digest = await resolveDigest(basePlan.pullRef, basePlan.insecure);
    } catch (e) {
      throw new BuildInputError(project, [
        `base image ${basePlan.pullRef} could not be resolved to a digest (is the registry reachable? registryMirrors / LUCID_REGISTRY_MIRRORS can point at a mirror; npm start runs a local one): ${(e as Error).message}`,
      ]);
    }
    base = { ref: basePlan.ref, digest };
    if (basePlan.viaArg) {
      buildArgs[basePlan.viaArg] = pinnedReference(basePlan.pullRef, digest);
      req.log(`base ${basePlan.ref} → ${buildArgs[basePlan.viaArg]}`);
    } else {
      // A literal FROM cannot be swapped from outside; the digest is still recorded and hashed.
      req.log(
        `base ${basePlan.ref} is written literally in FROM, so it is not pinned (use ARG BASE_IMAGE); resolved ${digest}`,
      );
    }
  }

  const scratch = join(tmpdir(), `lucid-build-${project}-${process.pid}`);
  const ignoreFile = ignoreFileFor(workspaceRoot, options.dockerfile, options.context);
  const plan: EngineBuildPlan = {
    project,
    dockerfile: options.dockerfile,
    context: options.context,
    ...(ignoreFile ? { ignoreFile } : {}),
    platforms,
    labels,
    buildArgs,
    timestamp: git.commitTime,
    insecureRegistries: plugin.insecureRegistries,
    stagingDir: join(scratch, 'staging'),
    storageDir: join(scratch, 'storage'),
    cache: plugin.buildCache,
    image,
  };
  return {
    engine: selected.engine,
    engineVersion: selected.version,
    plan,
    commands: selected.engine.buildCommands(plan),
    image,
    version,
    gitSha: git.sha,
    phase,
    labels,
    annotations: indexAnnotations(labels),
    base,
  };
}

export function dryRunLines(prepared: PreparedBuild): string[] {
  return prepared.commands.map((c) => formatCommand(c.command, c.args));
}

/** Runs the prepared commands and writes <outputPath>/oci and metadata.json (validated against the contract). */
export async function executeBuild(req: BuildRequest, prepared: PreparedBuild): Promise<BuildMetadata> {
  const out = join(req.workspaceRoot, req.options.outputPath);
  const scratch = join(prepared.plan.stagingDir, '..');
  mkdirSync(out, { recursive: true });
  // A failed build must not leave the previous output looking like this build's.
  rmSync(join(out, METADATA_FILE), { force: true });
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(prepared.plan.stagingDir, { recursive: true });
  const next = mkdtempSync(join(out, '.oci-next-'));
  try {
    const run = req.deps?.run ?? runProcess;
    const now = req.deps?.now ?? Date.now;
    for (const cmd of prepared.commands) {
      const started = now();
      req.log(`${cmd.label} …`);
      await run(cmd.command, cmd.args, { cwd: req.workspaceRoot, stream: true });
      req.log(`${cmd.label} done in ${((now() - started) / 1000).toFixed(1)}s`);
    }
    const assembled = assembleLayout(
      prepared.engine.outputs(prepared.plan),
      next,
      prepared.annotations,
      prepared.version,
    );
    const manifests = assembled.platforms.map((p) => {
      req.log(`${p.platform}: ${p.descriptor.digest} (${p.manifest.layers.length} layer(s))`);
      return {
        platform: p.descriptor.platform!,
        digest: p.descriptor.digest,
        mediaType: p.descriptor.mediaType,
        size: p.descriptor.size,
        configDigest: p.manifest.config.digest,
        compressedSize: p.manifest.layers.reduce((n, l) => n + l.size, 0),
      };
    });
    const blobs = new Map<string, number>();
    for (const p of assembled.platforms)
      for (const b of [p.manifest.config, ...p.manifest.layers]) blobs.set(b.digest, b.size);
    const metadata = parseBuildMetadata(
      {
        schemaVersion: 1,
        project: req.project,
        phase: prepared.phase,
        image: prepared.image,
        version: prepared.version,
        gitSha: prepared.gitSha,
        layout: 'oci',
        index: { digest: assembled.index.digest, mediaType: assembled.index.mediaType, size: assembled.index.size },
        manifests,
        compressedSize: [...blobs.values()].reduce((a, b) => a + b, 0),
        labels: prepared.labels,
        annotations: prepared.annotations,
        base: prepared.base,
        engine: { name: prepared.engine.name, version: prepared.engineVersion },
      },
      `metadata for ${req.project}`,
    );
    rmSync(join(out, 'oci'), { recursive: true, force: true });
    renameSync(next, join(out, 'oci'));
    writeArtifact(out, ARTIFACTS.metadata, metadata);
    return metadata;
  } finally {
    rmSync(next, { recursive: true, force: true });
    try {
      rmSync(scratch, { recursive: true, force: true });
    } catch (e) {
      req.log(`warning: could not remove ${scratch}: ${(e as Error).message}`);
    }
  }
}
