import { effectiveRules, releaseForPush } from './push-tags';

const pep440Rules = ['type=pep440,pattern={{version}}'];
const semverRules = [{ type: 'semver' as const, pattern: '{{version}}', prefix: 'v' }];

describe('the release asked for by --releaseVersion', () => {
  it('is read by the configured version rules: PEP 440 for pep440, semver for semver', () => {
    expect(releaseForPush({ releaseVersion: '1.2.0rc1' }, pep440Rules)).toEqual({
      version: '1.2.0rc1',
      source: 'release-version-option',
    });
    expect(releaseForPush({ releaseVersion: 'v1.2.3+build.5' }, semverRules)?.version).toBe('v1.2.3+build.5');
    expect(() => releaseForPush({ releaseVersion: '1.2.0rc1' }, semverRules)).toThrow(
      'invalid version "1.2.0rc1": expected semver such as 1.2.3 or v1.2.3 (optionally -prerelease)',
    );
    expect(() => releaseForPush({ version: 'latest' }, pep440Rules)).toThrow(
      'invalid version "latest": expected a PEP 440 version such as 1.2.0rc1',
    );
    expect(releaseForPush({}, semverRules)).toBeUndefined();
  });
});

describe('--latest and --versionTag over the rules', () => {
  const options = {
    tags: [...semverRules, 'type=sha', { type: 'latest' as const, when: 'auto' as const }],
    latestOnBranch: 'main',
  };
  it('always/never replace every latest rule; versionTag=false drops the version rules', () => {
    expect(effectiveRules({ ...options, latest: 'never', versionTag: true })).toEqual([
      ...semverRules,
      'type=sha',
      { type: 'latest', when: 'never' },
    ]);
    expect(effectiveRules({ ...options, latest: 'auto', versionTag: false })).toEqual([
      'type=sha',
      { type: 'latest', when: 'auto' },
    ]);
  });
});
