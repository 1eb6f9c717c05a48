import { mergeScopes, parseChallenge, resolveCredentials, tokensInEnv } from './auth';

describe('parseChallenge', () => {
  it('reads a GHCR-style Bearer challenge', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:hamigames/lucid/auth:pull"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:hamigames/lucid/auth:pull' },
    });
  });
  it('reads Basic and unquoted values, and nothing from nothing', () => {
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry Realm' },
    });
    expect(parseChallenge('Bearer realm=https://a/token, service=a')?.params).toEqual({
      realm: 'https://a/token',
      service: 'a',
    });
    expect(parseChallenge(null)).toBeUndefined();
  });
});

describe('resolveCredentials', () => {
  it('prefers stdin, then GHCR_TOKEN, then GITHUB_TOKEN; username from GITHUB_ACTOR or "token"', () => {
    expect(resolveCredentials({ GHCR_TOKEN: 'a', GITHUB_TOKEN: 'b' })).toEqual({
      username: 'token',
      password: 'a',
      source: 'GHCR_TOKEN',
    });
    expect(resolveCredentials({ GITHUB_TOKEN: 'b', GITHUB_ACTOR: 'octo' })).toEqual({
      username: 'octo',
      password: 'b',
      source: 'GITHUB_TOKEN',
    });
    expect(resolveCredentials({ GHCR_TOKEN: 'a' }, { stdinPassword: 'c\n', username: 'me' })).toEqual({
      username: 'me',
      password: 'c',
      source: 'stdin',
    });
    expect(resolveCredentials({})).toBeUndefined();
    expect(() => resolveCredentials({}, { stdinPassword: '\n' })).toThrow(/stdin was empty/);
  });
});

describe('mergeScopes', () => {
  it('unions actions per repository', () => {
    expect(mergeScopes(['repository:a/b:pull', 'repository:a/b:push repository:c/d:pull', undefined])).toEqual([
      'repository:a/b:pull,push',
      'repository:c/d:pull',
    ]);
  });
});

describe('tokensInEnv', () => {
  it('lists the token values the environment holds, for redaction', () => {
    expect(tokensInEnv({ GHCR_TOKEN: 'ghp_one', GITHUB_TOKEN: 'ghs_two', OTHER: 'x' })).toEqual(['ghp_one', 'ghs_two']);
    expect(tokensInEnv({ GITHUB_TOKEN: '' })).toEqual([]);
  });
});
