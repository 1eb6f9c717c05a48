import {
  DEFAULT_TAG_RULES,
  planTags,
  pullRequestFromEnv,
  releaseFromGitRef,
  sanitizeBranch,
  TagContext,
  tagRuleSchema,
} from './tag-rules';
import { assertNoImmutableMoves, describeMoves, ImmutableTagError, planTagMoves } from './tag-moves';

const sha = '0123456789abcdef0123456789abcdef01234567';
const ctx = (over: Partial<TagContext> = {}): TagContext => ({
  sha,
  phase: 2,
  branch: 'main',
  defaultBranch: 'main',
  ...over,
});
const tagsOf = (rules = DEFAULT_TAG_RULES, c = ctx()) => planTags(rules, c).tags.map((t) => t.tag);

describe('planTags with the default rules', () => {
  it('tags sha, phase-sha and latest on the default branch, and no version without a release', () => {
    const plan = planTags(DEFAULT_TAG_RULES, ctx());
    expect(plan.tags.map((t) => t.tag)).toEqual([sha, `phase2-${sha}`, 'latest']);
    expect(plan.skipped.find((s) => s.rule.startsWith('semver'))?.reason).toMatch(/not a release/);
  });
  it('a feature-branch push never creates a semver tag or latest', () => {
    expect(tagsOf(DEFAULT_TAG_RULES, ctx({ branch: 'feature/x' }))).toEqual([sha, `phase2-${sha}`]);
  });
  it('a release adds the immutable version tag', () => {
    const plan = planTags(DEFAULT_TAG_RULES, ctx({ release: { version: '1.4.0', source: 'git-tag' } }));
    expect(plan.tags.find((t) => t.tag === 'v1.4.0')).toMatchObject({ immutable: true });
    expect(plan.tags.filter((t) => t.immutable).map((t) => t.tag)).toEqual(['v1.4.0']);
  });
  it('refuses bad commits, phases and versions before anything else', () => {
    expect(() => planTags(DEFAULT_TAG_RULES, ctx({ sha: 'abc' }))).toThrow(/invalid git SHA/);
    expect(() => planTags(DEFAULT_TAG_RULES, ctx({ phase: 0 }))).toThrow(/invalid phase/);
    expect(() => planTags(DEFAULT_TAG_RULES, ctx({ release: { version: 'v1.0.0', source: 'nx-release' } }))).toThrow(
      /bare semver/,
    );
    expect(() => planTags(DEFAULT_TAG_RULES, ctx({ release: { version: '1.0.0+b1', source: 'nx-release' } }))).toThrow(
      /bare semver/,
    );
  });
});

describe('metadata-action style rules', () => {
  const rules = [
    { type: 'sha', format: 'short' },
    { type: 'branch' },
    { type: 'pr' },
    { type: 'semver', pattern: '{{version}}' },
    { type: 'semver', pattern: '{{major}}.{{minor}}' },
    { type: 'semver', pattern: '{{major}}' },
    { type: 'latest', when: 'auto' },
  ].map((r) => tagRuleSchema.parse(r));

  it('short sha, sanitised branch', () => {
    expect(tagsOf(rules, ctx({ branch: 'feature/Login#2' }))).toEqual(['0123456', 'feature-Login-2']);
  });
  it('pr-<n> on pull requests', () => {
    expect(tagsOf(rules, ctx({ branch: undefined, pullRequest: 42 }))).toEqual(['0123456', 'pr-42']);
  });
  it('release 2.3.1: version, major.minor, major, latest when highest', () => {
    expect(
      tagsOf(
        rules,
        ctx({
          branch: undefined,
          release: { version: '2.3.1', source: 'git-tag' },
          existingVersions: ['2.3.0', '1.9.9', '3.0.0-rc.1'],
        }),
      ),
    ).toEqual(['0123456', 'v2.3.1', 'v2.3', 'v2', 'latest']);
  });
  it('latest=auto holds back a release that is not the highest', () => {
    const plan = planTags(
      rules,
      ctx({
        branch: undefined,
        release: { version: '1.2.0', source: 'container-release' },
        existingVersions: ['2.0.0'],
      }),
    );
    expect(plan.tags.map((t) => t.tag)).not.toContain('latest');
    expect(plan.skipped.find((s) => s.rule === 'latest (auto)')?.reason).toMatch(/not the highest/);
  });
  it('{{major}} is never tagged for 0.x; prereleases get only {{version}}', () => {
    expect(tagsOf(rules, ctx({ branch: undefined, release: { version: '0.4.2', source: 'git-tag' } }))).toEqual([
      '0123456',
      'v0.4.2',
      'v0.4',
      'latest',
    ]);
    expect(tagsOf(rules, ctx({ branch: undefined, release: { version: '1.0.0-rc.1', source: 'git-tag' } }))).toEqual([
      '0123456',
      'v1.0.0-rc.1',
    ]);
  });
  it('rejects unknown rule types and fields', () => {
    expect(tagRuleSchema.safeParse({ type: 'ref' }).success).toBe(false);
    expect(tagRuleSchema.safeParse({ type: 'sha', length: 7 }).success).toBe(false);
  });
});

describe('release and pull request from GitHub refs', () => {
  it('reads v1.2.3 and <project>@1.2.3 tags, nothing else', () => {
    expect(releaseFromGitRef({ GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v1.2.3' }, 'auth-service')).toEqual({
      version: '1.2.3',
      source: 'git-tag',
    });
    expect(
      releaseFromGitRef({ GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'auth-service@1.2.3' }, 'auth-service'),
    ).toEqual({ version: '1.2.3', source: 'git-tag' });
    expect(
      releaseFromGitRef({ GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'api-gateway@1.2.3' }, 'auth-service'),
    ).toBeUndefined();
    expect(releaseFromGitRef({ GITHUB_REF_TYPE: 'branch', GITHUB_REF_NAME: 'v1.2.3' }, 'auth-service')).toBeUndefined();
  });
  it('reads refs/pull/<n>/merge', () => {
    expect(pullRequestFromEnv({ GITHUB_REF: 'refs/pull/17/merge' })).toBe(17);
    expect(pullRequestFromEnv({ GITHUB_REF: 'refs/heads/main' })).toBeUndefined();
  });
  it('sanitises branch names to the tag grammar', () => {
    expect(sanitizeBranch('-x/y')).toBe('x-y');
    expect(sanitizeBranch('a'.repeat(200))).toHaveLength(128);
  });
});

describe('planTagMoves', () => {
  const d1 = `sha256:${'1'.repeat(64)}`;
  const d2 = `sha256:${'2'.repeat(64)}`;
  const tags = [
    { tag: 'v1.0.0', immutable: true },
    { tag: 'latest', immutable: false },
    { tag: 'v1.1.0', immutable: true },
  ];
  it('refuses to move an existing version tag, naming both digests', () => {
    const plan = planTagMoves(
      tags,
      new Map([
        ['v1.0.0', d1],
        ['latest', d1],
      ]),
      d2,
    );
    expect(plan.refused.map((m) => m.tag)).toEqual(['v1.0.0']);
    expect(() => assertNoImmutableMoves(plan, 'r/x', false)).toThrow(ImmutableTagError);
    expect(() => assertNoImmutableMoves(plan, 'r/x', false)).toThrow(new RegExp(`${d1}.*${d2}`));
    expect(() => assertNoImmutableMoves(plan, 'r/x', true)).not.toThrow();
    expect(describeMoves(plan)).toEqual([
      `v1.0.0: ${d1} → ${d2} (forced)`,
      `latest: ${d1} → ${d2}`,
      `v1.1.0: (new) → ${d2}`,
    ]);
  });
  it('a tag already on the digest is unchanged, not refused', () => {
    const plan = planTagMoves(tags, new Map([['v1.0.0', d2]]), d2);
    expect(plan.unchanged).toEqual(['v1.0.0']);
    expect(plan.refused).toEqual([]);
  });
});
