import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../../boundary/process';
import { parseImageReference } from '../../image/naming';
import { computePushTags, currentBranch, PushTagPlan } from '../../image/tags';
import { readBuildMetadata } from '../../metadata/metadata';
import { baseMountSources, openSourcedLayout, prepareForPush } from '../../oci/blob-source';
import { parseOptionsWith } from '../../config/options';
import { openSession, ImageTarget, resolveImageTarget, RegistryDeps, asRegistryExecutor } from '../../registry/connect';
import { formatBytes, pushImage, PushResult, rankMountSources, readPushSource, SiblingPush } from '../../registry/push';
import { PushExecutorOptions, schema } from './options';

export const PUSH_FILE = 'push.json';
const PUSH_EXECUTOR = '@lucid/nx-lucid:push';
/** Sibling repositories probed for a mount, per missing blob; more would cost more than it saves. */
const MAX_SIBLINGS = 8;

export function parsePushOptions(raw: unknown): PushExecutorOptions {
  return parseOptionsWith(schema, raw, 'push');
}


async function git(root: string, args: string[]): Promise<string | undefined> {
  try {
    const r = await runProcess('git', args, { cwd: root, allowFailure: true });
    return r.exitCode === 0 ? r.stdout.trim() || undefined : undefined;
  } catch {
    return undefined;
  }
}

function projectPhase(context: ExecutorContext, project: string, prefix: string): number | undefined {
  const tags = context.projectsConfigurations?.projects[project]?.tags ?? [];
  for (const t of tags) {
    if (t.startsWith(prefix) && /^\d+$/.test(t.slice(prefix.length))) return Number(t.slice(prefix.length));
  }
  return undefined;
}

/** Repositories of the same registry that may hold our blobs: --mountFrom, the base image's, sibling services. */
function mountCandidates(context: ExecutorContext, project: string, target: ImageTarget, options: PushExecutorOptions, baseRef?: string): string[] {
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
  for (const [name, p] of Object.entries(context.projectsConfigurations?.projects ?? {})) {
    const push = Object.values(p.targets ?? {}).find((t) => t.executor === PUSH_EXECUTOR);
    if (name === project || !push) continue;
    siblings.push({ repository: `${prefix}${name}`, ...lastPush(context.root, push.options?.outputPath) });
  }
  const ranked = rankMountSources(siblings, `${target.registry}/${prefix}`).slice(0, MAX_SIBLINGS);
  return [...new Set([...out, ...ranked])].filter((r) => r !== target.repository);
}

/** The sibling's last push record (push.json beside its build output), if it has one. */
function lastPush(root: string, outputPath: unknown): Pick<SiblingPush, 'pushedImage' | 'pushedAtMs'> {
  if (typeof outputPath !== 'string') return {};
  const file = join(root, outputPath, PUSH_FILE);
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as { image?: unknown };
    return { pushedImage: typeof record.image === 'string' ? record.image : undefined, pushedAtMs: statSync(file).mtimeMs };
  } catch {
    return {};
  }
}

/** The push, with its inputs injectable for tests; throws on any failure. */
export async function runPush(rawOptions: unknown, context: ExecutorContext, deps: RegistryDeps = {}): Promise<PushResult> {
  const env = deps.env ?? process.env;
  const log = deps.log ?? ((l: string) => logger.info(l));
  const options = parsePushOptions(rawOptions);
  const project = context.projectName;
  if (!project || !context.projectsConfigurations?.projects[project]) {
    throw new Error(`unknown project "${project ?? ''}": it is not in this workspace (nx show projects lists them)`);
  }
  const target = resolveImageTarget(options, project, env);
  const metadata = readBuildMetadata(context.root, options.outputPath);
  if (metadata.project !== project) {
    throw new Error(`${options.outputPath}/metadata.json was built for ${metadata.project}, not ${project}; rebuild`);
  }
  const layout = openSourcedLayout(join(context.root, options.outputPath, metadata.layout), context.root, env);
  const source = readPushSource(layout);
  if (source.index.digest !== metadata.index.digest) {
    throw new Error(`${options.outputPath}/metadata.json names index ${metadata.index.digest} but the OCI layout holds ${source.index.digest}; rebuild`);
  }

  // Tags are decided (and validated) before the registry is touched.
  const sha = options.sha ?? env.GITHUB_SHA ?? (await git(context.root, ['rev-parse', 'HEAD'])) ?? metadata.gitSha;
  const branch = currentBranch(env, await git(context.root, ['rev-parse', '--abbrev-ref', 'HEAD']));
  const tagPlan: PushTagPlan = computePushTags({
    sha,
    phase: projectPhase(context, project, options.phaseTagPrefix) ?? metadata.phase,
    version: options.versionTag ? (options.releaseVersion ?? options.version ?? metadata.version) : undefined,
    branch,
    latestOnBranch: options.latestOnBranch,
    latest: options.latest,
  });

  const { client, say } = await openSession(target, options, env, deps, log);

  const platforms = source.manifests.map((m) => m.platform).filter(Boolean).join(', ');
  say(`${options.dryRun ? '[dry-run] ' : ''}Pushing ${target.image}@${source.index.digest} (${platforms}; ${source.blobs.length} blobs, ${formatBytes(metadata.compressedSize)})`);
  for (const s of tagPlan.skipped) say(`  - not tagging ${s.tag}: ${s.reason}`);
  // Base layers of a slim output: mounted from the base's repository on this registry, else fetched to upload.
  if (!options.dryRun) await prepareForPush(layout, target.registry, undefined, say);
  const result = await pushImage(client, source, {
    repository: target.repository,
    tags: tagPlan.tags.map((t) => t.tag),
    dryRun: options.dryRun,
    mountFrom: [...baseMountSources(layout, target.registry), ...mountCandidates(context, project, target, options, metadata.base?.ref)],
    log: say,
  });
  const b = result.blobs;
  const allTags = [...result.tags, ...result.unchangedTags];
  say(
    `${options.dryRun ? '[dry-run] would push' : '✔ pushed'} ${target.image}@${result.digest} tags: ${allTags.join(', ') || '(none)'} — ` +
      `blobs: ${b.uploaded} ${options.dryRun ? 'to upload' : 'uploaded'} (${formatBytes(b.uploadedBytes)}), ${b.mounted} mounted, ${b.skipped} already present (${formatBytes(b.skippedBytes)}); ` +
      `${client.stats.retries} retr${client.stats.retries === 1 ? 'y' : 'ies'}`,
  );
  if (!options.dryRun) {
    const record = {
      schemaVersion: 1,
      project,
      image: target.image,
      digest: result.digest,
      platforms: result.platforms,
      tags: allTags,
      uploadedBytes: result.blobs.uploadedBytes,
      blobs: result.blobs,
      manifestsPut: result.manifestsPut,
      retries: client.stats.retries,
    };
    writeFileSync(join(context.root, options.outputPath, PUSH_FILE), `${JSON.stringify(record, null, 2)}\n`);
  }
  return result;
}

export default async function pushExecutor(rawOptions: unknown, context: ExecutorContext): Promise<{ success: boolean }> {
  return asRegistryExecutor('push', context.projectName, () => runPush(rawOptions, context), (line) => logger.error(line));
}
