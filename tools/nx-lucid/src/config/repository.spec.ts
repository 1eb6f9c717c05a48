import { defaultRepository, MISSING_REPOSITORY, repositoryFromRemoteUrl, requireRepository } from './repository';

describe('repositoryFromRemoteUrl', () => {
  it.each([
    ['https://github.com/Acme-Corp/Hello-World.git', 'acme-corp/hello-world'],
    ['https://github.com/acme/shop', 'acme/shop'],
    ['https://x-access-token:abc@github.com/Acme/Shop.git', 'acme/shop'],
    ['git@github.com:Acme/Shop.git', 'acme/shop'],
    ['ssh://git@github.com:22/Acme/Shop.git', 'acme/shop'],
    ['git@gitlab.com:group/sub/app.git', 'group/sub/app'],
    ['https://gitlab.example.com/group/app/', 'group/app'],
  ])('%s → %s', (url, repository) => expect(repositoryFromRemoteUrl(url)).toBe(repository));

  it.each([
    ['/work/checkouts/shop', 'a local path'],
    ['file:///srv/git/shop.git', 'a file URL'],
    ['https://github.com/shop', 'one path component'],
    ['https://github.com/acme/sh%20op', 'not a registry path'],
    ['', 'empty'],
  ])('%s (%s) → undefined', (url) => expect(repositoryFromRemoteUrl(url)).toBeUndefined());
});

describe('defaultRepository', () => {
  const origin = 'git@github.com:Acme/Shop.git';
  it('configuration first, then GITHUB_REPOSITORY, then the origin remote', () => {
    expect(
      defaultRepository({ configured: 'team/images', env: { GITHUB_REPOSITORY: 'Other/Repo' }, originUrl: origin }),
    ).toEqual({ repository: 'team/images', source: 'configuration' });
    expect(defaultRepository({ env: { GITHUB_REPOSITORY: 'Other/Repo' }, originUrl: origin })).toEqual({
      repository: 'other/repo',
      source: 'GITHUB_REPOSITORY',
    });
    expect(defaultRepository({ env: {}, originUrl: origin })).toEqual({
      repository: 'acme/shop',
      source: 'git remote origin',
    });
  });

  it('nothing names one: undefined, never a built-in name', () => {
    expect(defaultRepository({ env: {} })).toBeUndefined();
    expect(defaultRepository({ env: { GITHUB_REPOSITORY: '' }, originUrl: '/srv/git/shop' })).toBeUndefined();
  });

  it('requireRepository asks for it by name', () => {
    expect(requireRepository('acme/shop', 'api')).toBe('acme/shop');
    expect(() => requireRepository(undefined, 'api')).toThrow(`api: ${MISSING_REPOSITORY}`);
    expect(MISSING_REPOSITORY).toMatch(/"repository" in the @lucid\/nx-lucid plugin options in nx\.json/);
  });
});
