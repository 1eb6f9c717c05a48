/**
 * A push's tags from the configured tag rules and the push options. Pure. The release context comes only
 * from --releaseVersion/--version (an explicit release) or a release git ref, so an ordinary branch push
 * never creates or moves a semver tag.
 */
import { releaseFromGitRef, TagContext, TagPlan, TagRule, planTags } from './tag-rules';
import { versionTag } from './tags';

export interface PushTagOptions {
  tags: TagRule[];
  latestOnBranch: string;
  latest: 'auto' | 'always' | 'never';
  version?: string;
  releaseVersion?: string;
  versionTag: boolean;
}

/** The rules after --latest and --versionTag: `always` forces latest, `never` and versionTag=false drop rules. */
export function effectiveRules(options: PushTagOptions): TagRule[] {
  let rules = options.tags.filter((r) => options.versionTag || r.type !== 'semver');
  if (options.latest === 'never') rules = rules.filter((r) => r.type !== 'latest');
  if (options.latest === 'always') {
    rules = [...rules.filter((r) => r.type !== 'latest'), { type: 'latest', when: 'always' }];
  }
  return rules;
}

/** The release this push is for: the explicit option, else a release git ref, else none. */
export function releaseForPush(
  options: PushTagOptions,
  env: NodeJS.ProcessEnv,
  project: string,
): TagContext['release'] {
  const explicit = options.releaseVersion ?? options.version;
  // versionTag() gives the established "invalid version" error before any registry is touched.
  if (explicit !== undefined) return { version: versionTag(explicit).slice(1), source: 'release-version-option' };
  return releaseFromGitRef(env, project);
}

export function planPushTags(
  options: PushTagOptions,
  ctx: Omit<TagContext, 'defaultBranch' | 'release'>,
  env: NodeJS.ProcessEnv,
  project: string,
): TagPlan {
  return planTags(effectiveRules(options), {
    ...ctx,
    defaultBranch: options.latestOnBranch,
    release: releaseForPush(options, env, project),
  });
}
