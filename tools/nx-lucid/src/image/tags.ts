/** The tags a push applies: latest (default branch only), the git SHA, phase<N>-<sha>, v<semver>. Pure. */
import { valid as semverValid } from 'semver';
import { assertTag } from './naming';

export const LATEST = 'latest';
export type LatestPolicy = 'auto' | 'always' | 'never';

const SHA = /^[0-9a-f]{40}$/;

/**
 * "1.2.3" or "v1.2.3" → "v1.2.3". Build metadata (+…) is refused: `+` is not allowed in a tag,
 * and silently dropping it would let two versions share one tag.
 */
export function versionTag(version: string): string {
  const raw = version.trim();
  const bare = raw.replace(/^v/, '');
  if (!semverValid(bare) || semverValid(bare) !== bare) {
    throw new Error(`invalid version "${version}": expected semver such as 1.2.3 or v1.2.3 (optionally -prerelease)`);
  }
  if (bare.includes('+'))
    throw new Error(`invalid version "${version}": build metadata (+…) cannot be part of an image tag`);
  return assertTag(`v${bare}`);
}

/** Whether a tag is one of ours for a version (v<semver>), and that semver. */
export function semverOfTag(tag: string): string | undefined {
  if (!tag.startsWith('v')) return undefined;
  const bare = tag.slice(1);
  return semverValid(bare) === bare ? bare : undefined;
}

/** Tags that identify a build (the commit and phase-commit); they travel with the version they were pushed with. */
export function isBuildIdentityTag(tag: string): boolean {
  return SHA.test(tag) || /^phase\d+-[0-9a-f]{40}$/.test(tag);
}

export interface PushTagInput {
  /** Commit the image is pushed for (40 hex). */
  sha?: string | null;
  phase?: number | null;
  /** Semver (with or without v); undefined/null: no version tag. */
  version?: string | null;
  /** Current branch (from git or GITHUB_REF_NAME). */
  branch?: string | null;
  latestOnBranch: string;
  latest: LatestPolicy;
}

export interface PushTag {
  tag: string;
  /** Why this tag is applied, for the dry-run and the log. */
  reason: string;
}

export interface PushTagPlan {
  tags: PushTag[];
  /** Tags not applied and why (e.g. latest off the default branch). */
  skipped: PushTag[];
}

export function computePushTags(input: PushTagInput): PushTagPlan {
  const tags: PushTag[] = [];
  const skipped: PushTag[] = [];
  if (input.sha !== undefined && input.sha !== null) {
    if (!SHA.test(input.sha)) throw new Error(`invalid git SHA "${input.sha}": expected 40 lowercase hex digits`);
    tags.push({ tag: input.sha, reason: 'git commit' });
    if (input.phase !== undefined && input.phase !== null) {
      if (!Number.isInteger(input.phase) || input.phase < 1)
        throw new Error(`invalid phase ${input.phase}: expected a positive integer`);
      tags.push({ tag: `phase${input.phase}-${input.sha}`, reason: `phase ${input.phase} at this commit` });
    } else {
      skipped.push({ tag: 'phase<N>-<sha>', reason: 'project has no phase tag' });
    }
  } else {
    skipped.push({ tag: '<sha>', reason: 'no git commit known' });
  }
  if (input.version) tags.push({ tag: versionTag(input.version), reason: 'project version' });
  if (input.latest === 'always') tags.push({ tag: LATEST, reason: 'latest forced (--latest=always)' });
  else if (input.latest === 'never') skipped.push({ tag: LATEST, reason: '--latest=never' });
  else if (input.branch && input.branch === input.latestOnBranch)
    tags.push({ tag: LATEST, reason: `on ${input.latestOnBranch}` });
  else skipped.push({ tag: LATEST, reason: `branch ${input.branch ?? '(unknown)'} is not ${input.latestOnBranch}` });
  for (const t of tags) assertTag(t.tag);
  return { tags, skipped };
}

/**
 * The branch a push runs on: GitHub Actions checks out a detached HEAD, so its GITHUB_REF_NAME wins
 * (unless the ref is a git tag); otherwise the local branch.
 */
export function currentBranch(env: NodeJS.ProcessEnv, gitBranch: string | undefined): string | undefined {
  if (env.GITHUB_REF_NAME && env.GITHUB_REF_TYPE !== 'tag') return env.GITHUB_REF_NAME;
  return gitBranch && gitBranch !== 'HEAD' ? gitBranch : undefined;
}
