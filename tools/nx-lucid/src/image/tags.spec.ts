import { isBuildIdentityTag, semverOfTag, versionTag } from './tags';

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
