/**
 * container-build: validate everything, plan, then run one engine and assemble
 * <outputPath>/oci + <outputPath>/metadata.json. Nothing is built until every check has passed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ensureDir, makeTempDir, moveInto, removePath } from '../boundary/files';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeArtifact } from '../artifacts/artifact';
import { METADATA_ARTIFACT } from '../artifacts/metadata-artifact';
import type { EngineBuildPlan, ImagePull } from './engines/engine';
import { registriesConf } from './engines/registries-conf';
import { ENGINES, selectEngine, SelectedEngine } from './engines/select';
import { phaseFromTags } from '../config/phase';
import { githubSourceUrl, imageLabels, indexAnnotations } from '../image/labels';
import { imageName } from '../image/naming';
import { BuildMetadata, METADATA_FILE } from '../artifacts/metadata';
import { SUPPORTED_PLATFORMS } from '../config/options';
import { readEnvOverrides, resolveConfig } from '../config/resolve';
import { ignoreFileFor } from '../dockerfile/dockerignore';
import { AssembledIndex, assembleLayout } from './assemble';
import type { BaseSeed } from './base-seed';
import type { BuildRequest, PreparedBuild } from './build-request';
import { briefly } from './dry-run';
import { freshScratch, runEngine } from './engine-run';
import { engineStorageDir, removeBuildImages, seedsFor, uniqueListName } from './engine-storage';
import { buildRecord } from './record';
import { slimLayout } from './slim';
import { pinBaseImage } from './base-pin';
import { projectField } from './project-fields';
import { assertContextSources } from './context-preflight';
import { BlobStore, blobStoreDir } from '../oci/blob-store';
import { readGitInfo, registeredEmulators } from './environment';
import { dockerfileStages, foreignRunProblems, hostPlatform, inputProblems, stagesToTarget, StageInfo } from './plan';
import { buildkitOwnPulls, plannedPulls, syntaxDirective as syntaxOf } from './pulls';
import { secretProblems } from './secrets';

export type { BuildDeps, BuildOptions, BuildRequest, PreparedBuild } from './build-request';
export { BuildInputError } from './build-error';
import { BuildInputError } from './build-error';
import { MISSING_REPOSITORY } from '../config/repository';

type PluginConfig = ReturnType<typeof resolveConfig>;

/** The options after LUCID_* overrides, with every input problem found at once (throws BuildInputError). */
function checkedInputs(req: BuildRequest) {
  const { options, workspaceRoot, project } = req;
  if (options.dockerfileError) throw new BuildInputError(project, [options.dockerfileError]);
  // Same overrides as the graph's other targets; platforms are checked below with every other problem.
  const { engine, buildCache, registryMirrors, insecureRegistries, attestations } = options;
  const plugin = resolveConfig({ engine, buildCache, registryMirrors, insecureRegistries, attestations }, req.env);
  // The image name and platforms are taken unchecked from the options (problems are collected below).
  const overrides = readEnvOverrides(req.env);
  const registry = overrides.registry ?? options.registry;
  const repository = overrides.repository ?? options.repository;
  const platforms = overrides.platforms ?? options.platforms;
  const problems = inputProblems({ platforms, supportedPlatforms: SUPPORTED_PLATFORMS, buildArgs: options.buildArgs });
  problems.push(...secretProblems(options.secrets ?? [], workspaceRoot, req.env));
  let image = '';
  if (!repository) problems.push(MISSING_REPOSITORY);
  else {
    try {
      image = imageName(registry, repository, project);
    } catch (e) {
      problems.push(`invalid image name: ${(e as Error).message}`);
    }
  }
  if (!existsSync(join(workspaceRoot, options.dockerfile)))
    problems.push(`Dockerfile ${options.dockerfile} does not exist`);
  if (!existsSync(join(workspaceRoot, options.context)))
    problems.push(`build context ${options.context} does not exist`);
  if (problems.length) throw new BuildInputError(project, problems);
  // A missing repository is among the problems thrown above.
  return { plugin, repository: repository as string, platforms, image };
}

/** The stages that will be built (up to --target); a RUN for a platform this machine cannot run fails here. */
function buildStages(req: BuildRequest, platforms: string[]): { content: string; stages: StageInfo[] } {
  const { options, project } = req;
  const content = readFileSync(join(req.workspaceRoot, options.dockerfile), 'utf8');
  const parsed = dockerfileStages(content, options.buildArgs, options.dockerfile);
  const { stages, problem } = stagesToTarget(parsed.stages, options.target, options.dockerfile);
  if (problem) throw new BuildInputError(project, [problem]);
  const host = hostPlatform(arch());
  const foreign = foreignRunProblems(options.dockerfile, stages, platforms, host, registeredEmulators());
  if (foreign.length) throw new BuildInputError(project, foreign);
  return { content, stages };
}

/** The engine; a dry run plans for the one it would pick when none is usable here (and says so). */
async function chooseEngine(req: BuildRequest, plugin: PluginConfig, unresolved: string[]): Promise<SelectedEngine> {
  try {
    const selected = await selectEngine(plugin.engine, req.env);
    req.log(`${selected.reason} (${selected.engine.name} ${selected.version})`);
    return selected;
  } catch (e) {
    if (!req.options.dryRun) throw e;
    const name = plugin.engine === 'auto' ? 'buildx' : plugin.engine;
    unresolved.push(
      `${briefly((e as Error).message)}; planned for ${name}${plugin.engine === 'auto' ? ' (what auto prefers)' : ''}`,
    );
    return { engine: ENGINES[name], version: 'unknown', reason: `engine: ${plugin.engine}` };
  }
}

/** Version, phase and labels from git, the project's manifest and the options (the user's labels last). */
async function describeImage(req: BuildRequest, repository: string) {
  const { options, workspaceRoot } = req;
  const git = await readGitInfo(workspaceRoot);
  const version = options.version ?? projectField(workspaceRoot, req.projectRoot, 'version') ?? '0.0.0';
  const sourceUrl =
    options.sourceUrl ??
    (git.remote ? githubSourceUrl(git.remote) : undefined) ??
    `https://github.com/${repository!.split('/').slice(0, 2).join('/')}`;
  const phase = phaseFromTags(req.tags, options.phaseTagPrefix);
  const labels = {
    ...imageLabels({
      sourceUrl,
      revision: git.sha,
      version,
      created: new Date(git.commitTime * 1000).toISOString(),
      title: req.project,
      description: projectField(workspaceRoot, req.projectRoot, 'description'),
      phase,
    }),
    ...(options.labels ?? {}),
  };
  return { git, version, phase, labels };
}

/**
 * Every image the build pulls, read with the build args the engine gets (a pinned ${BASE_IMAGE} is already the
 * mirror's), mirrored; a literal base resolved before the build carries its digest (buildx pins it).
 */
function imagePulls(
  req: BuildRequest,
  content: string,
  buildArgs: Record<string, string>,
  plugin: PluginConfig,
  base: PreparedBuild['base'],
): ImagePull[] {
  const parsed = dockerfileStages(content, buildArgs, req.options.dockerfile);
  const { stages } = stagesToTarget(parsed.stages, req.options.target, req.options.dockerfile);
  // A COPY --from=<name> the user serves as a build context is no pull.
  const copied = parsed.copiedImages.filter((i) => !(i in (req.options.buildContexts ?? {})));
  const { pulls, notes } = plannedPulls(stages, copied, plugin.registryMirrors);
  for (const n of notes) req.log(`note: ${n}`);
  for (const p of pulls) if (p.pullRef !== p.ref) req.log(`pull ${p.name} → ${p.pullRef}`);
  return pulls.map((p) => (base?.digest && p.ref === base.ref ? { ...p, digest: base.digest } : p));
}

/** buildx: the frontend and SBOM scanner BuildKit pulls by itself, through their mirrors too. */
function withBuildkitPulls(
  req: BuildRequest,
  content: string,
  plugin: PluginConfig,
  buildArgs: Record<string, string>,
): { buildArgs: Record<string, string>; attestations: PluginConfig['attestations'] } {
  const own = buildkitOwnPulls(content, plugin.registryMirrors, plugin.attestations);
  if (own.syntax) req.log(`pull frontend ${syntaxOf(content)} → ${own.syntax}`);
  if (own.sbomGenerator) req.log(`pull SBOM scanner → ${own.sbomGenerator}`);
  return {
    buildArgs:
      own.syntax && !('BUILDKIT_SYNTAX' in buildArgs) ? { ...buildArgs, BUILDKIT_SYNTAX: own.syntax } : buildArgs,
    attestations: own.sbomGenerator
      ? { ...plugin.attestations, sbomGenerator: own.sbomGenerator }
      : plugin.attestations,
  };
}

/** Every check that needs no builder, then the engine choice and the base digest. Throws before anything is built. */
export async function prepareBuild(req: BuildRequest): Promise<PreparedBuild> {
  const { options, workspaceRoot, project } = req;
  const { plugin, repository, platforms, image } = checkedInputs(req);
  const { content, stages } = buildStages(req, platforms);
  // Before any engine process: a source missing from the context fails here, at its Dockerfile line.
  await assertContextSources(req);
  // A dry run plans offline and without the engine: what it cannot resolve is reported, not fatal.
  const unresolved: string[] = [];
  const selected = await chooseEngine(req, plugin, unresolved);
  const { git, version, phase, labels } = await describeImage(req, repository);
  const { buildArgs, base, basePull } = await pinBaseImage(
    stages,
    { ...plugin, buildArgs: options.buildArgs, dryRun: options.dryRun },
    { project, log: req.log, unresolved },
  );
  const pulls = imagePulls(req, content, buildArgs, plugin, base);
  const scratch = join(tmpdir(), `lucid-build-${project}-${process.pid}`);
  const conf = registriesConf(pulls, plugin.registryMirrors, plugin.insecureRegistries);
  const confPath = join(scratch, 'registries.conf');
  const daemonless = selected.engine.name !== 'buildx';
  const buildkit = daemonless
    ? { buildArgs, attestations: plugin.attestations }
    : withBuildkitPulls(req, content, plugin, buildArgs);
  const ignoreFile = ignoreFileFor((p) => existsSync(join(workspaceRoot, p)), options.dockerfile, options.context);
  const plan: EngineBuildPlan = {
    project,
    dockerfile: options.dockerfile,
    context: options.context,
    ...(ignoreFile ? { ignoreFile } : {}),
    platforms,
    labels,
    buildArgs: buildkit.buildArgs,
    timestamp: git.commitTime,
    insecureRegistries: plugin.insecureRegistries,
    stagingDir: join(scratch, 'staging'),
    storageDir: engineStorageDir(workspaceRoot),
    ...(daemonless ? { manifestList: uniqueListName(project) } : {}),
    cache: plugin.buildCache,
    image,
    attestations: buildkit.attestations,
    ...(options.target ? { target: options.target } : {}),
    secrets: options.secrets ?? [],
    buildContexts: options.buildContexts ?? {},
    noCache: options.noCache ?? false,
    pulls,
    ...(conf && daemonless ? { registriesConf: confPath } : {}),
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
    files: conf && daemonless ? [{ path: confPath, content: conf, why: 'CONTAINERS_REGISTRIES_CONF' }] : [],
  };
}

/** The engine's layouts as one index, slimmed onto the base's blobs; the engine's images leave the shared store. */
async function assembleOutput(req: BuildRequest, prepared: PreparedBuild, next: string, seeds: BaseSeed[]) {
  const trusted = new Set(seeds.map((s) => s.digest));
  let assembled: AssembledIndex | undefined;
  try {
    const outputs = prepared.engine.outputs(prepared.plan);
    assembled = assembleLayout(outputs, next, prepared.annotations, prepared.version, trusted);
  } finally {
    await removeBuildImages(req, prepared, assembled?.platforms.map((p) => p.manifest.config.digest) ?? []);
  }
  if (!prepared.basePull) return assembled;
  const store = new BlobStore(blobStoreDir(req.workspaceRoot, req.env));
  return slimLayout(next, assembled, prepared.basePull, store, req.log);
}

/** Runs the prepared commands and writes <outputPath>/oci and metadata.json (validated against the contract). */
export async function executeBuild(req: BuildRequest, prepared: PreparedBuild): Promise<BuildMetadata> {
  const out = join(req.workspaceRoot, req.options.outputPath);
  const scratch = join(prepared.plan.stagingDir, '..');
  ensureDir(out);
  // A failed build must not leave the previous output looking like this build's.
  removePath(join(out, METADATA_FILE));
  const seeds = await seedsFor(req, prepared);
  freshScratch(prepared, seeds);
  const next = makeTempDir(join(out, '.oci-next-'));
  try {
    try {
      await runEngine(req, prepared, out, seeds);
    } catch (e) {
      await removeBuildImages(req, prepared, []);
      throw e;
    }
    const assembled = await assembleOutput(req, prepared, next, seeds);
    for (const p of assembled.platforms)
      req.log(`${p.platform}: ${p.descriptor.digest} (${p.manifest.layers.length} layer(s))`);
    for (const a of assembled.attestations)
      req.log(`${a.platform}: attestation ${a.descriptor.digest} (${a.predicateTypes.join(', ') || 'no predicate'})`);
    const metadata = buildRecord(req.project, prepared, assembled);
    removePath(join(out, 'oci'));
    moveInto(next, join(out, 'oci'));
    writeArtifact(out, METADATA_ARTIFACT, metadata);
    return metadata;
  } finally {
    removePath(next);
    try {
      removePath(scratch);
    } catch (e) {
      req.log(`warning: could not remove ${scratch}: ${(e as Error).message}`);
    }
  }
}
