import { builtVersionMismatch, decidePublishVersion, ReleasePublishInput } from './publish-version';

const input = (over: Partial<ReleasePublishInput> = {}): ReleasePublishInput => ({
  project: 'api',
  pyproject: { file: 'apps/api/pyproject.toml', text: '[project]\nname = "api"\nversion = "1.0.0"\n' },
  npmOptions: {},
  ...over,
});

describe('the version nx-release-publish publishes', () => {
  it('is the version nx release decided, over the one on disk (a dry run has not written it)', () => {
    const versionData = { api: { currentVersion: '1.0.0', newVersion: '1.1.0' } };
    expect(decidePublishVersion(input({ versionData }))).toEqual({
      publish: true,
      version: '1.1.0',
      source: 'nx-release',
    });
  });
  it('is nothing when nx release versioned the project to null, or not at all', () => {
    const none = decidePublishVersion(input({ versionData: { api: { currentVersion: '1.0.0', newVersion: null } } }));
    expect(none).toEqual({ publish: false, reason: 'nx release found no new version for api' });
    expect(decidePublishVersion(input({ versionData: { web: { newVersion: '2.0.0' } } }))).toMatchObject({
      publish: false,
    });
  });
  it('is the pyproject version for `nx release publish` on its own', () => {
    expect(decidePublishVersion(input())).toEqual({ publish: true, version: '1.0.0', source: 'pyproject' });
  });
  it('says which file is missing or has no static version', () => {
    expect(() => decidePublishVersion(input({ pyproject: { file: 'apps/api/pyproject.toml', text: null } }))).toThrow(
      /apps\/api\/pyproject.toml not found/,
    );
    const dynamic = { file: 'apps/api/pyproject.toml', text: '[project]\nname = "api"\ndynamic = ["version"]\n' };
    expect(() => decidePublishVersion(input({ pyproject: dynamic }))).toThrow(/dynamic/);
  });
  it("refuses npm's --tag, --otp and --access with a clear error", () => {
    expect(() => decidePublishVersion(input({ npmOptions: { tag: 'next' } }))).toThrow(/"next" is an npm dist-tag/);
    expect(() => decidePublishVersion(input({ npmOptions: { otp: 123456 } }))).toThrow(/--otp is an npm/);
    expect(() => decidePublishVersion(input({ npmOptions: { access: 'public' } }))).toThrow(/--access is an npm/);
  });
  it('names a build output made from another version', () => {
    const where = { outputPath: 'dist/containers/api', project: 'api' };
    expect(builtVersionMismatch('1.1.0', '1.1.0', where)).toBeUndefined();
    expect(builtVersionMismatch('1.0.0', '1.1.0', where)).toMatch(
      /^dist\/containers\/api\/metadata.json was built from version 1.0.0, not 1.1.0: `nx run api:nx-release-publish` builds/,
    );
  });
});
