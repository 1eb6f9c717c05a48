/**
 * A push's tags from the configured tag rules and the push options. Pure. A release is a git tag build, an
 * nx release tag (<project>@<version>) or --releaseVersion/--version; an ordinary branch push never creates
 * or moves a version tag.
 */
import type * as Semver from 'semver';
import type * as Pep440 from '@renovatebot/pep440';
import { parseTagRule, TagFlavorInput, TagRuleInput } from '../config/tag-rules';
import { EventPayload, TagContext, tagContextFrom } from './tag-context';
import { planTags, TagPlan } from './tag-rules';

export interface PushTagOptions {
  tags: TagRuleInput[];
  tagFlavor?: TagFlavorInput;
  latestOnBranch: string;
  latest: 'auto' | 'always' | 'never';
  version?: string;
  releaseVersion?: string;
  versionTag: boolean;
}

/** The rules after --latest and --versionTag: `always`/`never` replace every latest rule, versionTag=false drops semver and pep440. */
export function effectiveRules(options: PushTagOptions): TagRuleInput[] {
  const typeOf = (r: TagRuleInput) => parseTagRule(r).type;
  let rules = options.tags.filter((r) => options.versionTag || !['semver', 'pep440'].includes(typeOf(r)));
  if (options.latest !== 'auto') {
    rules = [...rules.filter((r) => typeOf(r) !== 'latest'), { type: 'latest', when: options.latest }];
  }
  return rules;
}

/**
 * The release asked for by --releaseVersion/--version. Refused unless a version rule can read it (semver for
 * type=semver, PEP 440 for type=pep440; either when there is none), so a release is never silently untagged.
 */
export function releaseForPush(
  options: Pick<PushTagOptions, 'version' | 'releaseVersion'>,
  rules: readonly TagRuleInput[] = [],
): TagContext['release'] {
  const explicit = options.releaseVersion ?? options.version;
  if (explicit === undefined) return undefined;
  const version = explicit.trim();
  const types = new Set(rules.map((r) => parseTagRule(r).type).filter((t) => t === 'semver' || t === 'pep440'));
  const semver = () => !!(require('semver') as typeof Semver).valid(version);
  const pep440 = () => !!(require('@renovatebot/pep440') as typeof Pep440).valid(version);
  const readable = types.size
    ? (types.has('semver') && semver()) || (types.has('pep440') && pep440())
    : semver() || pep440();
  if (!readable) {
    const expected = [
      ...(types.size === 0 || types.has('semver') ? ['semver such as 1.2.3 or v1.2.3 (optionally -prerelease)'] : []),
      ...(types.size === 0 || types.has('pep440') ? ['a PEP 440 version such as 1.2.0rc1'] : []),
    ];
    throw new Error(`invalid version "${explicit}": expected ${expected.join(', or ')}`);
  }
  return { version, source: 'release-version-option' };
}

export interface PushContextInput {
  env: NodeJS.ProcessEnv;
  payload: EventPayload;
  gitBranch?: string;
  sha?: string;
  phase?: number;
  project: string;
  existingVersions?: readonly string[];
}

/** The tag context of a push: GitHub's (event payload included) or the local git one, and the release asked for. */
export function pushTagContext(options: PushTagOptions, input: PushContextInput): TagContext {
  return {
    ...tagContextFrom({
      ...input,
      latestOnBranch: options.latestOnBranch,
      release: releaseForPush(options, effectiveRules(options)),
    }),
    existingVersions: input.existingVersions,
  };
}

export function planPushTags(options: PushTagOptions, ctx: TagContext): TagPlan {
  return planTags(effectiveRules(options), options.tagFlavor, ctx);
}
