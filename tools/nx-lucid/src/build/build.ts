/**
 * container-build: validate everything, plan, then run one engine and assemble
 * <outputPath>/oci + <outputPath>/metadata.json. Nothing is built until every check has passed.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeArtifact } from '../artifacts/artifact';
import { METADATA_ARTIFACT } from '../artifacts/metadata-artifact';
import { ProcessError, runProcess } from '../boundary/process';
import { Engine, EngineBuildPlan, EngineCommand } from './engines/engine';
import { ENGINES, selectEngine, SelectedEngine } from './engines/select';
import { phaseFromTags } from '../config/phase';
import { githubSourceUrl, imageLabels, indexAnnotations } from '../image/labels';
import { imageName } from '../image/naming';
import { BuildMetadata, METADATA_FILE } from '../artifacts/metadata';
import { SUPPORTED_PLATFORMS } from '../config/options';
import { readEnvOverrides, resolveConfig } from '../config/resolve';
import { ignoreFileFor } from '../dockerfile/dockerignore';
import { assembleLayout } from './assemble';
import type { BuildRequest, PreparedBuild } from './build-request';
import { briefly } from './dry-run';
import { buildRecord } from './record';
import { slimLayout } from './slim';
import { pinBaseImage } from './base-pin';
import { projectField } from './project-fields';
import { transientStorageError } from './transient';
import { assertContextSources } from './context-preflight';
import { BlobStore, blobStoreDir } from '../oci/blob-store';
import { readGitInfo, registeredEmulators } from './environment';
import { dockerfileStages, foreignRunProblems, hostPlatform, inputProblems } from './plan';

export type { BuildDeps, BuildOptions, BuildRequest, PreparedBuild } from './build-request';
export { BuildInputError } from './build-error';
import { BuildInputError } from './build-error';

type BuildRun = typeof runProcess;

/** Every check that needs no builder, then the engine choice and the base digest. Throws before anything is built. */
export async function prepareBuild(req: BuildRequest): Promise<PreparedBuild> {
  const { options, workspaceRoot, project } = req;
  if (options.dockerfileError) throw new BuildInputError(project, [options.dockerfileError]);

  // Same overrides as the graph's other targets; platforms are checked below with every other problem.
  const { engine, buildCache, registryMirrors, insecureRegistries, attestations } = options;
  const plugin = resolveConfig({ engine, buildCache, registryMirrors, insecureRegistries, attestations }, req.env);
  // A dry run plans offline and without the engine: what it cannot resolve is reported, not fatal.
  const unresolved: string[] = [];
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
  // Before any engine process: a source missing from the context fails here, at its Dockerfile line.
  await assertContextSources(req);

  let selected: SelectedEngine;
  try {
    selected = await selectEngine(plugin.engine, req.env);
    req.log(`${selected.reason} (${selected.engine.name} ${selected.version})`);
  } catch (e) {
    if (!options.dryRun) throw e;
    const name = plugin.engine === 'auto' ? 'buildx' : plugin.engine;
    selected = { engine: ENGINES[name], version: 'unknown', reason: `engine: ${plugin.engine}` };
    unresolved.push(
      `${briefly((e as Error).message)}; planned for ${name}${plugin.engine === 'auto' ? ' (what auto prefers)' : ''}`,
    );
  }

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

  const { buildArgs, base, basePull } = await pinBaseImage(
    stages,
    { ...plugin, buildArgs: options.buildArgs, dryRun: options.dryRun },
    { project, log: req.log, unresolved },
  );

  const scratch = join(tmpdir(), `lucid-build-${project}-${process.pid}`);
  const ignoreFile = ignoreFileFor((p) => existsSync(join(workspaceRoot, p)), options.dockerfile, options.context);
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
    attestations: plugin.attestations,
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
    unresolved,
    ...(basePull ? { basePull } : {}),
  };
}

/** Runs one engine command; a failure leads with the engine's own error text (BuildKit's ERROR lines). */
async function runEngineCommand(run: BuildRun, engine: Engine, cmd: EngineCommand, cwd: string): Promise<void> {
  try {
    await run(cmd.command, cmd.args, { cwd, stream: true });
  } catch (e) {
    const hint = e instanceof ProcessError && e.exitCode !== null ? engine.failureHint?.(e.stderr) : undefined;
    throw hint ? new Error(`${cmd.label} failed: ${hint}\n${(e as Error).message}`) : e;
  }
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
    for (let attempt = 1; ; attempt++) {
      try {
        for (const cmd of prepared.commands) {
          const started = now();
          req.log(`${cmd.label} …`);
          await runEngineCommand(run, prepared.engine, cmd, req.workspaceRoot);
          req.log(`${cmd.label} done in ${((now() - started) / 1000).toFixed(1)}s`);
        }
        break;
      } catch (e) {
        const reason = transientStorageError(e);
        if (!reason || attempt > 1) throw e;
        // Fresh private storage: a half-built manifest list must not collect a second copy of a platform.
        req.log(`transient builder storage error, retrying the build once on fresh storage: ${reason}`);
        rmSync(scratch, { recursive: true, force: true });
        mkdirSync(prepared.plan.stagingDir, { recursive: true });
      }
    }
    let assembled = assembleLayout(
      prepared.engine.outputs(prepared.plan),
      next,
      prepared.annotations,
      prepared.version,
    );
    if (prepared.basePull)
      assembled = await slimLayout(
        next,
        assembled,
        prepared.basePull,
        new BlobStore(blobStoreDir(req.workspaceRoot, req.env)),
        req.log,
      );
    for (const p of assembled.platforms)
      req.log(`${p.platform}: ${p.descriptor.digest} (${p.manifest.layers.length} layer(s))`);
    for (const a of assembled.attestations)
      req.log(`${a.platform}: attestation ${a.descriptor.digest} (${a.predicateTypes.join(', ') || 'no predicate'})`);
    const metadata = buildRecord(req.project, prepared, assembled);
    rmSync(join(out, 'oci'), { recursive: true, force: true });
    renameSync(next, join(out, 'oci'));
    writeArtifact(out, METADATA_ARTIFACT, metadata);
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
