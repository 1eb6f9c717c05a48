import {
  configKeys,
  lookupCredentials,
  normalizeRepository,
  parseDockerConfig,
  parseHelperOutput,
  registryEndpoint,
  registryEnvPrefix,
  resolveDockerCredentials,
} from './docker-credentials';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('Docker Hub naming', () => {
  it('maps docker.io to its endpoint and official images to library/', () => {
    expect(registryEndpoint('docker.io')).toBe('registry-1.docker.io');
    expect(registryEndpoint('ghcr.io')).toBe('ghcr.io');
    expect(normalizeRepository('docker.io', 'nginx')).toBe('library/nginx');
    expect(normalizeRepository('docker.io', 'org/app')).toBe('org/app');
    expect(normalizeRepository('ghcr.io', 'app')).toBe('app');
    expect(configKeys('docker.io')[0]).toBe('https://index.docker.io/v1/');
  });
});

describe('lookupCredentials', () => {
  const config = {
    auths: {
      'registry.example:5000': { auth: b64('alice:s3cret:with:colons') },
      'https://index.docker.io/v1/': { auth: b64('bob:hub-token') },
      'id.example': { identitytoken: 'idtok' },
    },
  };
  it('reads auths as docker login writes them (user:password base64, colons in the password kept)', () => {
    const r = lookupCredentials('registry.example:5000', {}, config);
    expect(r).toEqual({
      kind: 'inline',
      credentials: {
        username: 'alice',
        password: 's3cret:with:colons',
        source: 'config.json auths["registry.example:5000"]',
      },
    });
    expect(lookupCredentials('docker.io', {}, config)).toMatchObject({
      credentials: { username: 'bob', password: 'hub-token' },
    });
    expect(lookupCredentials('id.example', {}, config)).toMatchObject({
      credentials: { username: '<token>', password: 'idtok' },
    });
  });
  it('sends GHCR_TOKEN/GITHUB_TOKEN to ghcr.io only', () => {
    const env = { GITHUB_TOKEN: 'gh-token', GITHUB_ACTOR: 'octo' };
    expect(lookupCredentials('ghcr.io', env, undefined)).toMatchObject({
      credentials: { username: 'octo', password: 'gh-token', source: 'GITHUB_TOKEN' },
    });
    expect(lookupCredentials('registry.example:5000', env, undefined).kind).toBe('none');
    expect(lookupCredentials('registry.example:5000', env, config)).toMatchObject({
      credentials: { username: 'alice' },
    });
  });
  it('prefers the per-registry env pair over everything', () => {
    const env = {
      [`${registryEnvPrefix('registry.example:5000')}_USERNAME`]: 'ci',
      [`${registryEnvPrefix('registry.example:5000')}_PASSWORD`]: 'ci-pass',
    };
    expect(registryEnvPrefix('registry.example:5000')).toBe('LUCID_REGISTRY_REGISTRY_EXAMPLE_5000');
    expect(lookupCredentials('registry.example:5000', env, config)).toMatchObject({
      credentials: { username: 'ci', password: 'ci-pass' },
    });
  });
  it('credHelpers for the registry win over credsStore, which wins over auths (docker order)', () => {
    const c = { ...config, credsStore: 'desktop', credHelpers: { 'registry.example:5000': 'ecr-login' } };
    expect(lookupCredentials('registry.example:5000', {}, c)).toMatchObject({
      kind: 'helper',
      helper: 'ecr-login',
      serverUrl: 'registry.example:5000',
    });
    expect(lookupCredentials('docker.io', {}, c)).toMatchObject({
      kind: 'helper',
      helper: 'desktop',
      serverUrl: 'https://index.docker.io/v1/',
    });
  });
  it('says what it tried when nothing matches', () => {
    const r = lookupCredentials('other.example', {}, config, '/h/.docker/config.json');
    expect(r).toEqual({
      kind: 'none',
      tried: ['LUCID_REGISTRY_OTHER_EXAMPLE_USERNAME/_PASSWORD', '/h/.docker/config.json (no entry for other.example)'],
    });
  });
  it('refuses an auth that is not user:password', () => {
    expect(() => lookupCredentials('x.example', {}, { auths: { 'x.example': { auth: b64('nocolon') } } })).toThrow(
      /not base64 of user:password/,
    );
  });
});

describe('helpers and config files', () => {
  it('parses helper output; not found is anonymous; other failures are errors without the secret', () => {
    expect(parseHelperOutput('t', 0, '{"ServerURL":"x","Username":"u","Secret":"p"}', '')).toEqual({
      username: 'u',
      password: 'p',
    });
    expect(parseHelperOutput('t', 1, '', 'credentials not found in native keychain')).toBeUndefined();
    expect(() => parseHelperOutput('t', 2, '', 'boom')).toThrow(/docker-credential-t get failed \(exit 2\): boom/);
    // docker-credential-pass says why on stdout.
    expect(() => parseHelperOutput('pass', 1, 'pass store is uninitialized\n', '')).toThrow(
      /docker-credential-pass get failed \(exit 1\): pass store is uninitialized$/,
    );
    expect(() => parseHelperOutput('t', 0, 'not json', '')).toThrow(/not JSON/);
  });
  it('names a malformed config file', () => {
    expect(() => parseDockerConfig('{', '/c/config.json')).toThrow(/\/c\/config.json: not valid JSON/);
    expect(() => parseDockerConfig('{"auths":{"x":{"auth":5}}}', '/c/config.json')).toThrow(
      /\/c\/config.json: auths.x.auth/,
    );
  });
  it('runs the helper with the server URL on stdin and get as the only argument', async () => {
    const calls: Array<{ command: string; args: string[]; input: string }> = [];
    const creds = await resolveDockerCredentials(
      'registry.example:5000',
      { DOCKER_CONFIG: '/cfg' },
      {
        readFile: (p) =>
          p === '/cfg/config.json' ? JSON.stringify({ credHelpers: { 'registry.example:5000': 'test' } }) : undefined,
        runHelper: async (command, args, input) => {
          calls.push({ command, args, input });
          return { exitCode: 0, stdout: '{"Username":"u","Secret":"helper-secret"}', stderr: '' };
        },
      },
    );
    expect(calls).toEqual([{ command: 'docker-credential-test', args: ['get'], input: 'registry.example:5000' }]);
    expect(creds).toEqual({
      username: 'u',
      password: 'helper-secret',
      source: 'docker-credential-test (/cfg/config.json credHelpers)',
    });
  });
});
