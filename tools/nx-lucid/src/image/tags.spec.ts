import { computePushTags, currentBranch, isBuildIdentityTag, semverOfTag, versionTag } from './tags';

const sha = 'a'.repeat(39) + 'b';

describe('versionTag', () => {
  it('normalises semver to v<semver>', () => {
    expect(versionTag('1.2.3')).toBe('v1.2.3');
    expect(versionTag('v1.2.3-rc.1')).toBe('v1.2.3-rc.1');
  });
  it.each(['1.2', 'v1', 'latest', '01.2.3', '1.2.3+build.5', ' '])('refuses %p', (v) => {
    expect(() => versionTag(v)).toThrow(/invalid version/);
  });
});

describe('semverOfTag / isBuildIdentityTag', () => {
  it('recognises version tags only', () => {
    expect(semverOfTag('v2.0.0')).toBe('2.0.0');
    expect(semverOfTag('2.0.0')).toBeUndefined();
    expect(semverOfTag('latest')).toBeUndefined();
  });
  it('recognises sha and phase-sha tags', () => {
    expect(isBuildIdentityTag(sha)).toBe(true);
    expect(isBuildIdentityTag(`phase2-${sha}`)).toBe(true);
    expect(isBuildIdentityTag('v1.0.0')).toBe(false);
    expect(isBuildIdentityTag('latest')).toBe(false);
  });
});

describe('computePushTags', () => {
  const base = { sha, phase: 2, version: '1.4.0', latestOnBranch: 'main' };
  it('tags sha, phase-sha, version and latest on the default branch', () => {
    const plan = computePushTags({ ...base, branch: 'main', latest: 'auto' });
    expect(plan.tags.map((t) => t.tag)).toEqual([sha, `phase2-${sha}`, 'v1.4.0', 'latest']);
  });
  it('leaves latest off other branches unless forced, and says why', () => {
    const plan = computePushTags({ ...base, branch: 'feature/x', latest: 'auto' });
    expect(plan.tags.map((t) => t.tag)).not.toContain('latest');
    expect(plan.skipped.find((s) => s.tag === 'latest')?.reason).toMatch(/feature\/x is not main/);
    expect(computePushTags({ ...base, branch: 'feature/x', latest: 'always' }).tags.map((t) => t.tag)).toContain(
      'latest',
    );
    expect(computePushTags({ ...base, branch: 'main', latest: 'never' }).tags.map((t) => t.tag)).not.toContain(
      'latest',
    );
  });
  it('skips phase without a phase and refuses a bad sha or version', () => {
    expect(computePushTags({ ...base, phase: null, branch: 'x', latest: 'auto' }).tags.map((t) => t.tag)).toEqual([
      sha,
      'v1.4.0',
    ]);
    expect(() => computePushTags({ ...base, sha: 'ABC', branch: 'main', latest: 'auto' })).toThrow(/invalid git SHA/);
    expect(() => computePushTags({ ...base, version: 'one', branch: 'main', latest: 'auto' })).toThrow(
      /invalid version "one"/,
    );
  });
});

describe('currentBranch', () => {
  it('prefers GITHUB_REF_NAME for branches, ignores it for git tags and detached HEAD', () => {
    expect(currentBranch({ GITHUB_REF_NAME: 'main' }, 'HEAD')).toBe('main');
    expect(currentBranch({ GITHUB_REF_NAME: 'v1.0.0', GITHUB_REF_TYPE: 'tag' }, 'HEAD')).toBeUndefined();
    expect(currentBranch({}, 'dev')).toBe('dev');
  });
});
