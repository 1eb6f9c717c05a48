/**
 * A push's tags from the configured rules (src/config/tag-rules.ts: docker/metadata-action's syntax and
 * Lucid's two types) in a push context (src/image/tag-context.ts), computed as the action does
 * (src/image/tag-engine.ts). Pure. Checks the commit and phase first, so nothing reaches a registry with a bad one.
 */
import { parseTagFlavor, parseTagRules, TagFlavorInput, TagRuleInput } from '../config/tag-rules';
import type { TagContext } from './tag-context';
import { computeTags, TagPlan } from './tag-engine';

export type { TagRule, TagRuleInput, TagFlavorInput } from '../config/tag-rules';
export type { ReleaseSource, TagContext } from './tag-context';
export type { PlannedTag, TagPlan } from './tag-engine';

const SHA = /^[0-9a-f]{40}$/;

/** The tags for one push. Throws on an invalid commit, phase or rule, before any registry is touched. */
export function planTags(rules: readonly TagRuleInput[], flavor: TagFlavorInput | undefined, ctx: TagContext): TagPlan {
  if (ctx.sha && !SHA.test(ctx.sha)) throw new Error(`invalid git SHA "${ctx.sha}": expected 40 lowercase hex digits`);
  if (ctx.phase !== undefined && (!Number.isInteger(ctx.phase) || ctx.phase < 1))
    throw new Error(`invalid phase ${ctx.phase}: expected a positive integer`);
  return computeTags(parseTagRules(rules), parseTagFlavor(flavor), ctx);
}
