import { mergeScopes, parseChallenge, stdinCredentials, tokensInEnv } from './auth';

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

describe('stdinCredentials', () => {
  it('drops the trailing newline and refuses an empty stdin', () => {
    expect(stdinCredentials('c\n', 'me')).toEqual({ username: 'me', password: 'c', source: 'stdin' });
    expect(() => stdinCredentials('\n', 'me')).toThrow(/stdin was empty/);
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
