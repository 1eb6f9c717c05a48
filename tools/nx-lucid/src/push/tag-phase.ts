/**
 * The immutability check of a push's tag phase, run after the session opens and before anything is
 * written (no blob, no manifest, no tag): each planned tag's current digest is read, and a version tag
 * that names another digest refuses the push unless forced. A forced move is logged with its old digest.
 */
import { valid as semverValid } from 'semver';
import { effectiveRules, planPushTags, PushTagOptions, releaseForPush } from '../image/push-tags';
import { PlannedTag, TagContext, TagPlan, TagRule } from '../image/tag-rules';
import { assertNoImmutableMoves, planTagMoves, TagMovePlan } from '../image/tag-moves';
import { RegistryClient } from '../registry/client';

/**
 * The versions the repository already has (its {{version}} tags), read only when a latest=auto rule must
 * know whether this release is the highest; undefined when no rule needs them.
 */
export async function existingVersionsFor(
  client: Pick<RegistryClient, 'listTags'>,
  repository: string,
  rules: readonly TagRule[],
  release: TagContext['release'],
): Promise<string[] | undefined> {
  if (!release || !rules.some((r) => r.type === 'latest' && r.when === 'auto')) return undefined;
  const prefixes = rules.flatMap((r) => (r.type === 'semver' && r.pattern === '{{version}}' ? [r.prefix] : []));
  const versionOf = (tag: string) =>
    (prefixes.length ? prefixes : ['v'])
      .filter((p) => tag.startsWith(p))
      .map((p) => tag.slice(p.length))
      .find((v) => semverValid(v) === v);
  return (await client.listTags(repository)).flatMap((t) => versionOf(t) ?? []);
}

/** tag → the digest it names now (undefined: no such tag), a few HEADs at a time. */
export async function currentTagDigests(
  client: Pick<RegistryClient, 'headManifest'>,
  repository: string,
  tags: readonly string[],
): Promise<Map<string, string | undefined>> {
  const current = new Map<string, string | undefined>();
  for (let i = 0; i < tags.length; i += 8) {
    const heads = await Promise.all(
      tags.slice(i, i + 8).map(async (t) => [t, (await client.headManifest(repository, t))?.digest] as const),
    );
    for (const [t, d] of heads) current.set(t, d);
  }
  return current;
}

export interface PushTagInputs {
  options: PushTagOptions;
  tagContext: Parameters<typeof planPushTags>[1];
  env: NodeJS.ProcessEnv;
  project: string;
}

/** latest=auto: only the highest release takes latest, so the plan is made again knowing the versions pushed. */
export async function replanForLatestAuto(
  client: Pick<RegistryClient, 'listTags'>,
  repository: string,
  plan: TagPlan,
  { options, tagContext, env, project }: PushTagInputs,
): Promise<TagPlan> {
  const release = releaseForPush(options, env, project);
  const existingVersions = await existingVersionsFor(client, repository, effectiveRules(options), release);
  return existingVersions ? planPushTags(options, { ...tagContext, existingVersions }, env, project) : plan;
}

export interface TagGuardRequest {
  repository: string;
  /** registry/repository, for messages. */
  image: string;
  tags: readonly PlannedTag[];
  /** The index digest the tags are to name. */
  digest: string;
  force: boolean;
  dryRun: boolean;
  log: (line: string) => void;
}

/**
 * Throws ImmutableTagError (naming tag, old and new digest) when a version tag would move and force is off.
 * Returns the plan and what each tag names now (the push then need not read them again).
 */
export async function guardTagMoves(
  client: Pick<RegistryClient, 'headManifest'>,
  req: TagGuardRequest,
): Promise<TagMovePlan & { current: Map<string, string | undefined> }> {
  const current = await currentTagDigests(
    client,
    req.repository,
    req.tags.map((t) => t.tag),
  );
  const plan = planTagMoves(req.tags, current, req.digest);
  assertNoImmutableMoves(plan, req.image, req.force);
  for (const m of plan.refused) {
    req.log(
      `  ! --force: version tag ${m.tag} ${req.dryRun ? 'would move' : 'moves'} from ${m.before} to ${m.after} (old digest ${m.before})`,
    );
  }
  return { ...plan, current };
}
