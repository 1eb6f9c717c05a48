/**
 * The immutability check of a push's tag phase, run after the session opens and before anything is
 * written (no blob, no manifest, no tag): each planned tag's current digest is read, and a version tag
 * that names another digest refuses the push unless forced. A forced move is logged with its old digest.
 */
import type * as Pep440 from '@renovatebot/pep440';
import { valid as semverValid } from 'semver';
import { parseTagFlavor, parseTagRule } from '../config/tag-rules';
import { effectiveRules, planPushTags, PushTagOptions } from '../image/push-tags';
import { PlannedTag, TagContext, TagPlan } from '../image/tag-rules';
import { versionInput } from '../image/tag-engine';
import { assertNoImmutableMoves, planTagMoves, TagMovePlan } from '../image/tag-moves';
import { RegistryClient } from '../registry/client';

/**
 * The versions the repository already has (the tags its semver/pep440 {{version}} rules make), read only when
 * this push is a release and a latest=auto rule must know whether it is the highest; undefined otherwise.
 */
export async function existingVersionsFor(
  client: Pick<RegistryClient, 'listTags'>,
  repository: string,
  options: PushTagOptions,
  ctx: TagContext,
): Promise<string[] | undefined> {
  const rules = effectiveRules(options).map(parseTagRule);
  if (versionInput(undefined, ctx) === undefined) return undefined;
  if (!rules.some((r) => r.type === 'latest' && r.attrs.when === 'auto')) return undefined;
  const flavorPrefix = parseTagFlavor(options.tagFlavor).prefix;
  const pep440 = require('@renovatebot/pep440') as typeof Pep440;
  const isVersion = {
    semver: (v: string) => semverValid(v) === v,
    pep440: (v: string) => !!pep440.valid(v) && pep440.clean(v) === v,
  };
  const kinds = rules.flatMap((r) =>
    (r.type === 'semver' || r.type === 'pep440') && r.attrs.pattern === '{{version}}'
      ? [{ prefix: r.attrs.prefix ?? flavorPrefix, valid: isVersion[r.type] }]
      : [],
  );
  if (!kinds.length) kinds.push({ prefix: 'v', valid: isVersion.semver });
  const versionOf = (tag: string) =>
    kinds
      .filter((k) => tag.startsWith(k.prefix) && k.valid(tag.slice(k.prefix.length)))
      .map((k) => tag.slice(k.prefix.length))[0];
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
  tagContext: TagContext;
}

/** latest=auto: only the highest release takes latest, so the plan is made again knowing the versions pushed. */
export async function replanForLatestAuto(
  client: Pick<RegistryClient, 'listTags'>,
  repository: string,
  plan: TagPlan,
  { options, tagContext }: PushTagInputs,
): Promise<TagPlan> {
  const existingVersions = await existingVersionsFor(client, repository, options, tagContext);
  return existingVersions ? planPushTags(options, { ...tagContext, existingVersions }) : plan;
}

export interface TagGuardRequest {
  repository: string;
  /** registry/repository, for messages. */
  image: string;
  tags: ReadonlyArray<Pick<PlannedTag, 'tag' | 'immutable'>>;
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
