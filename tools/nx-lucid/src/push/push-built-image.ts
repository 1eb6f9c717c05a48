/**
 * The push use case: the build output (metadata.json + OCI layout) to the registry by digest, then the
 * tags, then push.json. Dependencies (env, log, stdin, registry client options, process runner) are injectable.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, readArtifact, writeArtifact } from '../artifacts/artifacts';
import { runProcess } from '../boundary/process';
import { phaseFromTags } from '../config/phase';
import { parseImageReference } from '../image/naming';
import { planPushTags, pushTagContext } from '../image/push-tags';
import { readEventPayload } from '../image/tag-context';
import { BuildMetadata, readBuildMetadata } from '../artifacts/metadata';
import { AttachInputs, attachAttestations, plannedArtifacts } from './attach-attestations';
import { baseMountSources, openSourcedLayout } from '../registry/blob-source';
import { ImageTarget, RegistryDeps, resolveImageTargets } from '../registry/connect';
import { checkMetadata } from './preflight';
import { PushResult, rankMountSources, readPushSource, SiblingPush } from './push';
import { pushToRegistries } from './push-registries';
import { pushSummaryMarkdown, writePushSummary } from './push-summary';

/** Sibling repositories probed for a mount, per missing blob; more would cost more than it saves. */
const MAX_SIBLINGS = 8;

export type { PushOptions, PushRequest } from './push-request';
import type { PushRequest } from './push-request';

export type PushDeps = RegistryDeps & { run?: typeof runProcess };

async function git(root: string, args: string[], run: typeof runProcess): Promise<string | undefined> {
  try {
    const r = await run('git', args, { cwd: root, allowFailure: true });
    return r.exitCode === 0 ? r.stdout.trim() || undefined : undefined;
  } catch {
    return undefined;
  }
}

/** Repositories of the same registry that may hold our blobs: --mountFrom, the base image's, sibling services. */
function mountCandidates(req: PushRequest, target: ImageTarget, baseRef?: string): string[] {
  const { project, options } = req;
  const out = [...options.mountFrom];
  if (baseRef) {
    try {
      const base = parseImageReference(baseRef);
      if (base.registry === target.registry) out.push(base.repository);
    } catch {
      /* an unparsable base reference is just not a mount source */
    }
  }
  const prefix = target.repository.slice(0, target.repository.length - project.length);
  const siblings: SiblingPush[] = [];
  for (const { name, outputPath } of req.siblings) {
    if (name === project) continue;
    siblings.push({ repository: `${prefix}${name}`, ...lastPush(req.workspaceRoot, outputPath) });
  }
  const ranked = rankMountSources(siblings, `${target.registry}/${prefix}`).slice(0, MAX_SIBLINGS);
  return [...new Set([...out, ...ranked])].filter((r) => r !== target.repository);
}

/** The sibling's last push record (push.json beside its build output), if it has a readable one. */
function lastPush(root: string, outputPath: unknown): Pick<SiblingPush, 'pushedImage' | 'pushedAtMs'> {
  if (typeof outputPath !== 'string') return {};
  const dir = join(root, outputPath);
  try {
    const record = readArtifact(dir, ARTIFACTS.push);
    return record ? { pushedImage: record.image, pushedAtMs: statSync(join(dir, ARTIFACTS.push.file)).mtimeMs } : {};
  } catch {
    return {};
  }
}

/** What the tag rules read: the commit, the phase (the project's tag, else the build's), the ref, branch and PR. */
export async function tagContextFor(
  req: Pick<PushRequest, 'workspaceRoot' | 'tags' | 'options' | 'project'>,
  env: NodeJS.ProcessEnv,
  run: typeof runProcess,
  built?: { gitSha: string | null; phase: number | null },
) {
  const { options, workspaceRoot: root, project } = req;
  const sha = options.sha ?? env.GITHUB_SHA ?? (await git(root, ['rev-parse', 'HEAD'], run)) ?? built?.gitSha;
  return pushTagContext(options, {
    env,
    payload: readEventPayload(env),
    gitBranch: env.GITHUB_REF ? undefined : await git(root, ['rev-parse', '--abbrev-ref', 'HEAD'], run),
    sha: sha ?? undefined,
    phase: phaseFromTags(req.tags, options.phaseTagPrefix) ?? built?.phase ?? undefined,
    project,
  });
}

/** What container-push attaches after the index (planned first: a bad bundle file fails before any upload). */
function attestationPlan(req: PushRequest, metadata: BuildMetadata, env: NodeJS.ProcessEnv) {
  const { options } = req;
  if (!options.attachAttestations && !options.attestationBundles?.length) return undefined;
  const inputs: AttachInputs = {
    workspaceRoot: req.workspaceRoot,
    outputPath: options.outputPath,
    metadata,
    bundles: options.attestationBundles ?? [],
    env,
    dryRun: options.dryRun,
    stateDir: join(req.workspaceRoot, '.lucid'),
    statements: !!options.attachAttestations,
  };
  return { inputs, planned: plannedArtifacts(inputs) };
}

/** The push; throws on any failure. */
export async function pushBuiltImage(req: PushRequest, deps: PushDeps = {}): Promise<PushResult> {
  const { project, options, workspaceRoot: root } = req;
  const env = deps.env ?? process.env;
  const log = deps.log ?? ((l: string) => console.log(l));
  const run = deps.run ?? runProcess;
  const targets = resolveImageTargets(options, project, env);
  const metadata = readBuildMetadata(root, options.outputPath);
  if (metadata.project !== project) {
    throw new Error(`${options.outputPath}/metadata.json was built for ${metadata.project}, not ${project}; rebuild`);
  }
  const layout = openSourcedLayout(join(root, options.outputPath, metadata.layout), root, env);
  const source = readPushSource(layout);
  checkMetadata(metadata, source, { project, file: `${options.outputPath}/metadata.json` });

  // Tags are decided (and validated) before the registry is touched.
  const tagContext = await tagContextFor(req, env, run, metadata);
  const tagPlan = planPushTags(options, tagContext);

  const attach = attestationPlan(req, metadata, env);
  const pushes = await pushToRegistries(
    {
      targets,
      source,
      layout,
      options,
      tagPlan,
      tagInputs: { options, tagContext },
      mountFrom: (t) => [...baseMountSources(layout, t.registry), ...mountCandidates(req, t, metadata.base?.ref)],
      stateDir: join(root, '.lucid'),
      compressedSize: metadata.compressedSize,
    },
    env,
    deps,
    log,
  );
  if (attach)
    for (const p of pushes)
      await attachAttestations(
        p.session.client,
        p.target.repository,
        p.target.image,
        attach.planned,
        attach.inputs,
        p.session.say,
      );
  const perRegistry = pushes.map(({ target: t, result: r, retries }) => ({
    image: t.image,
    digest: r.digest,
    tags: [...r.tags, ...r.unchangedTags],
    blobs: r.blobs,
    manifestsPut: r.manifestsPut,
    retries,
  }));
  const [first] = perRegistry;
  if (!options.dryRun) {
    writeArtifact(join(root, options.outputPath), ARTIFACTS.push, {
      schemaVersion: 1,
      project,
      ...first,
      platforms: pushes[0].result.platforms,
      uploadedBytes: first.blobs.uploadedBytes,
      ...(perRegistry.length > 1 ? { registries: perRegistry } : {}),
    });
  }
  const summary = () => pushSummaryMarkdown(project, perRegistry, pushes[0].tagPlan);
  writePushSummary(env, summary, options.dryRun, log);
  return pushes[0].result;
}
