/**
 * One push to several registries: the tags are planned once, then a session per registry (its own
 * credentials), every registry's version tags checked before anything is written to any of them (a refused
 * move on the second leaves the first unchanged), then each registry gets the blobs it lacks, the
 * manifests and the same index bytes, so the digest is the same everywhere.
 */
import type { TagPlan } from '../image/tag-rules';
import { prepareForPush, SourcedLayout } from '../registry/blob-source';
import { ImageTarget, openSession, RegistryDeps, RegistrySession } from '../registry/connect';
import { formatBytes } from '../boundary/format-bytes';
import { imageComplete, pushImage, PushResult, PushSource } from './push';
import type { PushOptions } from './push-request';
import { guardTagMoves, PushTagInputs, replanForLatestAuto } from './tag-phase';

export interface RegistriesPushRequest {
  targets: ImageTarget[];
  source: PushSource;
  layout: SourcedLayout;
  options: PushOptions;
  /** The tags, planned once for every registry (re-planned once for latest=auto, knowing every registry's versions). */
  tagPlan: TagPlan;
  tagInputs: PushTagInputs;
  /** Repositories of the target's registry that may hold our blobs. */
  mountFrom: (target: ImageTarget) => string[];
  /** <workspace>/.lucid: resumable uploads and shared-blob locks. */
  stateDir: string;
  compressedSize: number;
}

export interface RegistryPush {
  target: ImageTarget;
  result: PushResult;
  retries: number;
  /** The tags as finally planned (after latest=auto), each with the rule that made it. */
  tagPlan: TagPlan;
  /** The registry's session, for what follows the push (attestations). */
  session: RegistrySession;
}

export async function pushToRegistries(
  req: RegistriesPushRequest,
  env: NodeJS.ProcessEnv,
  deps: RegistryDeps,
  log: (line: string) => void,
): Promise<RegistryPush[]> {
  const { targets, source, options } = req;
  if (options.passwordStdin && targets.length > 1) {
    throw new Error(
      `--password-stdin gives one password, and this push goes to ${targets.map((t) => t.registry).join(', ')}: ` +
        'give each registry its own (LUCID_REGISTRY_<HOST>_USERNAME/_PASSWORD or docker login), or push to one',
    );
  }
  const sessions: Array<RegistrySession & { target: ImageTarget }> = [];
  for (const target of targets) sessions.push({ target, ...(await openSession(target, options, env, deps, log)) });

  // latest=auto: the highest release across every registry, so each gets the same tags.
  const everyRegistry = {
    listTags: async () => (await Promise.all(sessions.map((s) => s.client.listTags(s.target.repository)))).flat(),
  };
  const tagPlan = await replanForLatestAuto(everyRegistry, targets[0].repository, req.tagPlan, req.tagInputs);

  const platforms = source.manifests
    .map((m) => m.platform)
    .filter(Boolean)
    .join(', ');
  const dry = options.dryRun ? '[dry-run] ' : '';
  // Before any blob, manifest or tag is written anywhere: a version tag naming another digest refuses the push.
  const currentTags = new Map<RegistrySession, Map<string, string | undefined>>();
  for (const session of sessions) {
    const { target, client, say } = session;
    say(
      `${dry}Pushing ${target.image}@${source.index.digest} (${platforms}; ${source.blobs.length} blobs, ${formatBytes(req.compressedSize)})`,
    );
    for (const t of tagPlan.tags) {
      say(`  + tag ${t.tag} ← ${t.rule}: ${t.reason}${t.immutable ? ' (immutable version tag)' : ''}`);
    }
    for (const s of tagPlan.skipped) say(`  - no tag from rule ${s.rule}: ${s.reason}`);
    const guarded = await guardTagMoves(client, {
      repository: target.repository,
      image: target.image,
      tags: tagPlan.tags,
      digest: source.index.digest,
      force: options.force ?? false,
      dryRun: options.dryRun,
      log: say,
    });
    currentTags.set(session, guarded.current);
  }

  const pushes: RegistryPush[] = [];
  for (const session of sessions) {
    const { target, client, say } = session;
    const current = currentTags.get(session)!;
    const tags = tagPlan.tags.map((t) => t.tag);
    const complete = await imageComplete(client, source, {
      repository: target.repository,
      tags,
      currentTags: current,
      log: say,
    });
    // Base layers of a slim output: mounted from the base's repository on this registry, else fetched to upload.
    if (!options.dryRun && !complete) await prepareForPush(req.layout, target.registry, undefined, say);
    const result = await pushImage(client, source, {
      repository: target.repository,
      tags,
      dryRun: options.dryRun,
      // Mount sources read every sibling's push record: only worth it when something may be missing.
      mountFrom: complete ? [] : req.mountFrom(target),
      log: say,
      stateDir: req.stateDir,
      currentTags: current,
      complete,
      versionTags: tagPlan.tags.filter((t) => t.immutable).map((t) => t.tag),
      force: options.force ?? false,
    });
    const b = result.blobs;
    const allTags = [...result.tags, ...result.unchangedTags];
    say(
      `${options.dryRun ? '[dry-run] would push' : '✔ pushed'} ${target.image}@${result.digest} tags: ${allTags.join(', ') || '(none)'} — ` +
        `blobs: ${b.uploaded} ${options.dryRun ? 'to upload' : 'uploaded'} (${formatBytes(b.uploadedBytes)}), ${b.mounted} mounted, ${b.skipped} already present (${formatBytes(b.skippedBytes)}); ` +
        `${client.stats.retries} retr${client.stats.retries === 1 ? 'y' : 'ies'}`,
    );
    pushes.push({ target, result, retries: client.stats.retries, tagPlan, session });
  }
  return pushes;
}
