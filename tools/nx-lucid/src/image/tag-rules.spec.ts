import { DEFAULT_TAG_RULES, parseTagRule, tagRuleSchema } from '../config/tag-rules';
import { EventPayload, tagContextFrom } from './tag-context';
import { planTags, TagContext, TagRuleInput } from './tag-rules';
import { assertNoImmutableMoves, describeMoves, ImmutableTagError, planTagMoves } from './tag-moves';

const sha = '0123456789abcdef0123456789abcdef01234567';
const NOW = new Date('2026-03-04T05:06:07Z');
/** A context from GitHub-style env (GITHUB_REF, GITHUB_EVENT_NAME) and an event payload. */
const ctx = (
  env: NodeJS.ProcessEnv = { GITHUB_REF: 'refs/heads/main' },
  over: Partial<TagContext> = {},
  payload: EventPayload = {},
) => ({
  ...tagContextFrom({ env, payload, sha, phase: 2, project: 'auth-service', latestOnBranch: 'main', now: NOW }),
  ...over,
});
const tagsOf = (rules: readonly TagRuleInput[], c: TagContext, flavor?: string[]) =>
  planTags(rules, flavor, c).tags.map((t) => t.tag);
const tagRef = (name: string) => ctx({ GITHUB_REF: `refs/tags/${name}`, GITHUB_EVENT_NAME: 'push' });

describe('planTags with the default rules', () => {
  it('tags sha, phase-sha and latest on the default branch, and no version without a release', () => {
    const plan = planTags(DEFAULT_TAG_RULES, undefined, ctx());
    expect(plan.tags.map((t) => t.tag)).toEqual([sha, `phase2-${sha}`, 'latest']);
    expect(plan.skipped.find((s) => s.rule.startsWith('type=semver'))?.reason).toMatch(/not a release/);
  });
  it('a feature-branch push never creates a semver tag or latest', () => {
    expect(tagsOf(DEFAULT_TAG_RULES, ctx({ GITHUB_REF: 'refs/heads/feature/x' }))).toEqual([sha, `phase2-${sha}`]);
  });
  it('a release adds the immutable version tag, first (the action’s priority order)', () => {
    const plan = planTags(
      DEFAULT_TAG_RULES,
      undefined,
      ctx(undefined, { release: { version: '1.4.0', source: 'nx-release' } }),
    );
    expect(plan.tags.map((t) => [t.tag, t.immutable, t.rule])).toEqual([
      ['v1.4.0', true, 'type=semver,pattern={{version}},prefix=v'],
      [sha, false, 'type=sha,format=long,prefix='],
      [`phase2-${sha}`, false, 'type=phase-sha'],
      ['latest', false, 'type=latest,when=branch'],
    ]);
  });
  it('refuses bad commits and phases before anything else', () => {
    expect(() => planTags(DEFAULT_TAG_RULES, undefined, ctx(undefined, { sha: 'abc' }))).toThrow(/invalid git SHA/);
    expect(() => planTags(DEFAULT_TAG_RULES, undefined, ctx(undefined, { phase: 0 }))).toThrow(/invalid phase/);
  });
});

describe('pull request contexts (GITHUB_EVENT_PATH payload)', () => {
  const payload = {
    number: 15,
    repository: { default_branch: 'main' },
    pull_request: { number: 15, head: { sha: 'f'.repeat(40), ref: 'feat' }, base: { ref: 'main' } },
  };
  const rules: TagRuleInput[] = [
    'type=ref,event=branch',
    'type=ref,event=pr',
    { type: 'sha', format: 'long', prefix: '' },
    { type: 'latest', when: 'branch' },
  ];

  it('pull_request: pr-<n> and the sha, no branch tag (GITHUB_REF_NAME is 15/merge), no latest', () => {
    const pr = ctx(
      { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/15/merge', GITHUB_REF_NAME: '15/merge' },
      {},
      payload,
    );
    expect(tagsOf(rules, pr)).toEqual(['pr-15', sha]);
  });
  it('pull_request_target: the ref is the PR’s, not the base branch: pr-<n>, never main or latest', () => {
    const env = { GITHUB_EVENT_NAME: 'pull_request_target', GITHUB_REF: 'refs/heads/main', GITHUB_REF_NAME: 'main' };
    expect(tagsOf([...rules, ...DEFAULT_TAG_RULES], ctx(env, {}, payload))).toEqual(['pr-15', sha, `phase2-${sha}`]);
  });
  it('a pull request never makes latest, whatever the flavor or a latest rule says (the action’s flavor latest=true would)', () => {
    const pr = ctx({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/15/merge' }, {}, payload);
    expect(tagsOf(['type=ref,event=pr'], pr, ['latest=true'])).toEqual(['pr-15']);
    expect(tagsOf(['type=ref,event=pr', { type: 'latest', when: 'always' }], pr)).toEqual(['pr-15']);
  });
  it('DOCKER_METADATA_PR_HEAD_SHA=true tags the head commit; {{base_ref}} is the base branch', () => {
    const env = {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REF: 'refs/pull/15/merge',
      DOCKER_METADATA_PR_HEAD_SHA: 'true',
    };
    const c = { ...tagContextFrom({ env, payload, sha, latestOnBranch: 'main' }) };
    expect(tagsOf(['type=sha', 'type=raw,value=into-{{base_ref}}'], c)).toEqual(['into-main', 'sha-fffffff']);
  });
  it('pull_request without GITHUB_REF: the payload’s number, never GITHUB_REF_NAME (15/merge) as a branch', () => {
    const env = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF_NAME: '15/merge' };
    expect(tagContextFrom({ env, payload, latestOnBranch: 'main' }).ref).toBe('refs/pull/15/merge');
  });
  it('a pull_request_target payload without a number is an error, not a branch push', () => {
    expect(() =>
      tagContextFrom({
        env: { GITHUB_EVENT_NAME: 'pull_request_target', GITHUB_REF: 'refs/heads/main' },
        payload: {},
        latestOnBranch: 'main',
      }),
    ).toThrow(/has no number/);
  });
});

describe('deliberate differences from the action', () => {
  const semverRules = [
    'type=semver,pattern={{version}}',
    'type=semver,pattern={{major}}.{{minor}}',
    'type=semver,pattern={{major}}',
  ];
  it('an nx release tag <project>@<version> is a release (the action: not a valid semver, no tags)', () => {
    expect(tagsOf(semverRules, tagRef('auth-service@1.2.3'))).toEqual(['1.2.3', '1.2', '1', 'latest']);
    expect(tagsOf(semverRules, tagRef('other-service@1.2.3'))).toEqual([]);
  });
  it('--release-version on a branch is a release too', () => {
    expect(
      tagsOf(semverRules, ctx(undefined, { release: { version: '2.0.1', source: 'release-version-option' } })),
    ).toEqual(['2.0.1', '2.0', '2', 'latest']);
  });
  it('{{major}} makes no 0 for 0.x unless zeroMajor (the action makes 0)', () => {
    expect(tagsOf(semverRules, tagRef('v0.4.2'))).toEqual(['0.4.2', '0.4', 'latest']);
    expect(
      tagsOf([...semverRules.slice(0, 2), 'type=semver,pattern={{major}},zeromajor=true'], tagRef('v0.4.2')),
    ).toEqual(['0.4.2', '0.4', '0', 'latest']);
    expect(
      tagsOf(
        ['type=pep440,pattern={{major}}', { type: 'pep440', pattern: '{{major}}', prefix: 'z', zeroMajor: true }],
        tagRef('0.4'),
      ),
    ).toEqual(['z0', 'latest']);
  });
  it('a +build version is tagged as the action does: {{version}} drops the build, {{raw}} keeps it sanitised', () => {
    expect(tagsOf([...semverRules, 'type=semver,pattern={{raw}}'], tagRef('v1.2.3+build.5'))).toEqual([
      '1.2.3',
      '1.2',
      '1',
      'v1.2.3-build.5',
      'latest',
    ]);
  });
  it('full-version tags are immutable, floating ones are not', () => {
    const plan = planTags([...semverRules, 'type=pep440,pattern={{raw}}'], undefined, tagRef('v1.2.3'));
    expect(plan.tags.map((t) => [t.tag, t.immutable])).toEqual([
      ['1.2.3', true],
      ['1.2', false],
      ['1', false],
      ['v1.2.3', true],
      ['latest', false],
    ]);
  });
});

describe('PEP 440 (type=pep440) as the action computes it', () => {
  const rules = [
    'type=pep440,pattern={{version}}',
    'type=pep440,pattern={{major}}.{{minor}}',
    'type=pep440,pattern={{major}}',
  ];
  it.each([
    ['1.2.0', ['1.2.0', '1.2', '1', 'latest']],
    ['1.2.0rc1', ['1.2.0rc1']],
    ['1.2.0.post1', ['1.2.0.post1']],
    ['1.0dev4', ['1.0.dev4']],
    ['2!1.0', ['2-1.0', '1.0', '1', 'latest']],
    ['v1.1beta2', ['1.1b2']],
  ])('%s → %j', (version, tags) => {
    expect(tagsOf(rules, ctx(undefined, { release: { version, source: 'nx-release' } }))).toEqual(tags);
  });
});

describe('the rule syntax: objects and the action’s strings are one', () => {
  it('parses both to the same rule, with the action’s defaults', () => {
    expect(parseTagRule('type=sha')).toEqual(parseTagRule({ type: 'sha' }));
    expect(parseTagRule('type=sha').attrs).toMatchObject({ prefix: 'sha-', format: 'short', priority: '100' });
    expect(parseTagRule('foo').attrs.value).toBe('foo');
    expect(parseTagRule('type=match,"pattern=v(\\d,\\d)",group=1').attrs).toMatchObject({
      pattern: 'v(\\d,\\d)',
      group: '1',
    });
  });
  it('refuses what the action refuses, with its message, and old Lucid types with the new spelling', () => {
    expect(tagRuleSchema.safeParse('type=semver').error?.issues[0].message).toBe(
      'Missing pattern attribute for type=semver',
    );
    expect(tagRuleSchema.safeParse('type=ref,event=push').error?.issues[0].message).toMatch(/Invalid event/);
    expect(tagRuleSchema.safeParse('type=foo').error?.issues[0].message).toMatch(/Unknown tag type attribute: foo/);
    expect(tagRuleSchema.safeParse({ type: 'branch' }).error?.issues[0].message).toMatch(
      /type: "ref", event: "branch"/,
    );
    expect(tagRuleSchema.safeParse({ type: 'sha', length: 7 }).success).toBe(false);
  });
  it('an invalid tag names the rule that made it; enable must render true or false', () => {
    expect(() => planTags(['type=raw,value=-x'], undefined, ctx())).toThrow(
      /tag rule type=raw,value=-x: invalid tag "-x"/,
    );
    expect(() => planTags(['type=raw,value=x,enable=maybe'], undefined, ctx())).toThrow(
      /Invalid value for enable attribute: maybe/,
    );
  });
  it('{{is_default_branch}} without an event payload compares with latestOnBranch', () => {
    const r = ['type=raw,value=stable,enable={{is_default_branch}}'];
    expect(tagsOf(r, ctx())).toEqual(['stable']);
    expect(tagsOf(r, ctx({ GITHUB_REF: 'refs/heads/dev' }))).toEqual([]);
  });
  it('outside Actions the git branch is the ref', () => {
    const local = tagContextFrom({ env: {}, payload: {}, gitBranch: 'main', sha, latestOnBranch: 'main' });
    expect(local.ref).toBe('refs/heads/main');
    expect(tagContextFrom({ env: {}, payload: {}, gitBranch: 'HEAD', latestOnBranch: 'main' }).ref).toBe('');
  });
});

describe('latest rule (Lucid)', () => {
  const rules: TagRuleInput[] = ['type=semver,pattern={{version}}', { type: 'latest', when: 'auto' }];
  it('when=auto: only the highest release', () => {
    expect(tagsOf(rules, { ...tagRef('v2.3.1'), existingVersions: ['2.3.0', '3.0.0-rc.1'] })).toEqual([
      '2.3.1',
      'latest',
    ]);
    const plan = planTags(rules, undefined, { ...tagRef('v1.2.0'), existingVersions: ['2.0.0'] });
    expect(plan.tags.map((t) => t.tag)).toEqual(['1.2.0']);
    expect(plan.skipped.find((s) => s.rule === 'type=latest,when=auto')?.reason).toMatch(/not the highest/);
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
