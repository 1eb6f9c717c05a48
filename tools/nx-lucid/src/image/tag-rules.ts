/**
 * Tag rules in the spirit of docker/metadata-action: each rule turns the push context (commit, branch,
 * pull request, release) into at most one tag. Pure. Semver tags come only from a release context, never
 * from an ordinary branch push, and only the full version tag is immutable: floating tags ({{major}},
 * {{major}}.{{minor}}, latest, branch, pr-N) move by design.
 */
import type * as Semver from 'semver';
import { z } from 'zod';
import { assertTag } from './naming';

/**
 * semver (~40 modules) only when a tag is planned: the plugin options import this file for tagRuleSchema, and
 * every project graph computation loads those.
 */
const semver = () => require('semver') as typeof Semver;

export const tagRuleSchema = z.discriminatedUnion('type', [
  /** The commit: full (40 hex) by default, or the first 7 (`format: short`, metadata-action's type=sha). */
  z
    .object({
      type: z.literal('sha'),
      format: z.enum(['long', 'short']).default('long'),
      prefix: z.string().default(''),
    })
    .strict(),
  /** phase<N>-<sha>: what the phase shards deploy from. */
  z.object({ type: z.literal('phase-sha') }).strict(),
  /** The branch name, sanitised to the tag grammar (feature/x → feature-x). */
  z.object({ type: z.literal('branch'), prefix: z.string().default('') }).strict(),
  /** pr-<number> on pull request builds. */
  z.object({ type: z.literal('pr'), prefix: z.string().default('pr-') }).strict(),
  /** A release's version: {{version}} (immutable), {{major}}.{{minor}} and {{major}} (floating; never for 0.x or prereleases). */
  z
    .object({
      type: z.literal('semver'),
      pattern: z.enum(['{{version}}', '{{major}}.{{minor}}', '{{major}}']),
      prefix: z.string().default('v'),
    })
    .strict(),
  /**
   * latest: `branch` on the default branch only (today's rule); `auto` for a release whose version is the
   * highest non-prerelease semver the repository has; `always` / `never`.
   */
  z
    .object({ type: z.literal('latest'), when: z.enum(['branch', 'auto', 'always', 'never']).default('branch') })
    .strict(),
]);

export type TagRule = z.output<typeof tagRuleSchema>;
export type TagRuleInput = z.input<typeof tagRuleSchema>;

/** Today's tags: full SHA, phase<N>-<sha>, v<version> for a release, latest on the default branch. */
export const DEFAULT_TAG_RULES: TagRule[] = [
  { type: 'sha', format: 'long', prefix: '' },
  { type: 'phase-sha' },
  { type: 'semver', pattern: '{{version}}', prefix: 'v' },
  { type: 'latest', when: 'branch' },
];

/** How a release was asked for; only these produce semver tags. */
export type ReleaseSource = 'git-tag' | 'nx-release' | 'container-release' | 'release-version-option';

export interface TagContext {
  /** 40 lowercase hex, or undefined when no commit is known. */
  sha?: string;
  phase?: number;
  branch?: string;
  defaultBranch: string;
  pullRequest?: number;
  release?: { version: string; source: ReleaseSource };
  /** Versions (bare semver) the repository already has, for latest=auto. */
  existingVersions?: readonly string[];
}

export interface PlannedTag {
  tag: string;
  /** Why it is applied, for the log and dry-run. */
  reason: string;
  /** A tag that must never move to another digest without --force. */
  immutable: boolean;
}

export interface TagPlan {
  tags: PlannedTag[];
  /** Rules that produced no tag here, and why. */
  skipped: Array<{ rule: string; reason: string }>;
}

const SHA = /^[0-9a-f]{40}$/;

/** Branch → tag, as metadata-action does: anything outside the grammar becomes '-', at most 128 chars. */
export function sanitizeBranch(branch: string): string {
  const s = branch.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '');
  return s.slice(0, 128);
}

function ruleName(rule: TagRule): string {
  switch (rule.type) {
    case 'semver':
      return `semver ${rule.pattern}`;
    case 'latest':
      return `latest (${rule.when})`;
    default:
      return rule.type;
  }
}

function isHighest(version: string, existing: readonly string[]): boolean {
  return existing.every((v) => semver().prerelease(v) !== null || semver().compare(version, v) >= 0);
}

function applyRule(rule: TagRule, ctx: TagContext): PlannedTag | string {
  switch (rule.type) {
    case 'sha':
      if (!ctx.sha) return 'no git commit known';
      return {
        tag: rule.prefix + (rule.format === 'short' ? ctx.sha.slice(0, 7) : ctx.sha),
        reason: 'git commit',
        immutable: false,
      };
    case 'phase-sha':
      if (!ctx.sha) return 'no git commit known';
      if (ctx.phase === undefined) return 'project has no phase tag';
      return { tag: `phase${ctx.phase}-${ctx.sha}`, reason: `phase ${ctx.phase} at this commit`, immutable: false };
    case 'branch':
      if (!ctx.branch) return 'no branch (detached HEAD or a tag build)';
      return { tag: rule.prefix + sanitizeBranch(ctx.branch), reason: `branch ${ctx.branch}`, immutable: false };
    case 'pr':
      if (ctx.pullRequest === undefined) return 'not a pull request build';
      return { tag: `${rule.prefix}${ctx.pullRequest}`, reason: `pull request #${ctx.pullRequest}`, immutable: false };
    case 'semver': {
      if (!ctx.release)
        return 'not a release (semver tags come from a git tag, nx release or container-release create)';
      const v = ctx.release.version;
      if (rule.pattern === '{{version}}')
        return { tag: rule.prefix + v, reason: `release ${v} (${ctx.release.source})`, immutable: true };
      if (semver().prerelease(v) !== null) return `${v} is a prerelease: only {{version}} is tagged`;
      if (rule.pattern === '{{major}}' && semver().major(v) === 0)
        return `${v} is 0.x: {{major}} is never tagged for 0.x`;
      const floating =
        rule.pattern === '{{major}}' ? `${semver().major(v)}` : `${semver().major(v)}.${semver().minor(v)}`;
      return {
        tag: rule.prefix + floating,
        reason: `release ${v} (${ctx.release.source}), floating`,
        immutable: false,
      };
    }
    case 'latest':
      if (rule.when === 'never') return 'latest: never';
      if (rule.when === 'always') return { tag: 'latest', reason: 'latest: always', immutable: false };
      if (rule.when === 'branch') {
        if (ctx.branch && ctx.branch === ctx.defaultBranch)
          return { tag: 'latest', reason: `on ${ctx.defaultBranch}`, immutable: false };
        return `branch ${ctx.branch ?? '(unknown)'} is not ${ctx.defaultBranch}`;
      }
      if (!ctx.release) return 'latest=auto: not a release';
      if (semver().prerelease(ctx.release.version) !== null)
        return `latest=auto: ${ctx.release.version} is a prerelease`;
      if (!isHighest(ctx.release.version, ctx.existingVersions ?? []))
        return `latest=auto: ${ctx.release.version} is not the highest version`;
      return { tag: 'latest', reason: `latest=auto: ${ctx.release.version} is the highest version`, immutable: false };
  }
}

/** The tags for one push. Throws on an invalid commit, phase or version, before any registry is touched. */
export function planTags(rules: readonly TagRule[], ctx: TagContext): TagPlan {
  if (ctx.sha !== undefined && !SHA.test(ctx.sha))
    throw new Error(`invalid git SHA "${ctx.sha}": expected 40 lowercase hex digits`);
  if (ctx.phase !== undefined && (!Number.isInteger(ctx.phase) || ctx.phase < 1))
    throw new Error(`invalid phase ${ctx.phase}: expected a positive integer`);
  if (ctx.release) {
    const parsed = semver().parse(ctx.release.version);
    if (!parsed || parsed.version !== ctx.release.version || parsed.build.length) {
      throw new Error(
        `invalid release version "${ctx.release.version}": expected bare semver such as 1.2.3 (no v, no +build)`,
      );
    }
  }
  const tags: PlannedTag[] = [];
  const skipped: TagPlan['skipped'] = [];
  for (const rule of rules) {
    const out = applyRule(rule, ctx);
    if (typeof out === 'string') skipped.push({ rule: ruleName(rule), reason: out });
    else if (!tags.some((t) => t.tag === out.tag)) tags.push({ ...out, tag: assertTag(out.tag) });
  }
  return { tags, skipped };
}

/**
 * The release a push runs for, from GitHub's ref: a tag `v1.2.3` or nx release's `<project>@1.2.3`
 * (its default releaseTagPattern). Anything else is an ordinary push.
 */
export function releaseFromGitRef(env: NodeJS.ProcessEnv, project: string): TagContext['release'] {
  if (env.GITHUB_REF_TYPE !== 'tag' || !env.GITHUB_REF_NAME) return undefined;
  const name = env.GITHUB_REF_NAME;
  const m =
    /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(name) ??
    (name.startsWith(`${project}@`) ? /^.*@v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(name) : null);
  return m ? { version: m[1], source: 'git-tag' } : undefined;
}

/** The pull request number on GitHub Actions (refs/pull/<n>/merge), else undefined. */
export function pullRequestFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const m = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '');
  return m ? Number(m[1]) : undefined;
}
