import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicAuthValue, registeredSecrets } from '../boundary/redaction';
import { runWithRedactedFailure } from '../boundary/redacted-failure';
import { openSession, resolveImageTarget } from './connect';
import { authHint, credentialsFor, helperEnv } from './credentials';
import { CredentialDeps, normalizeRepository } from './docker-credentials';

describe('which credentials a registry is sent', () => {
  const openRegistry = (async () => new Response('{}', { status: 200 })) as unknown as typeof fetch;
  const target = (registry: string) => ({
    registry,
    repository: 'hamigames/lucid/api',
    image: `${registry}/hamigames/lucid/api`,
    insecureRegistries: [registry],
  });
  const session = (registry: string, env: NodeJS.ProcessEnv) =>
    openSession(target(registry), { retries: 0 }, env, { client: { fetchImpl: openRegistry } }, () => undefined);
  const noStdin = async () => {
    throw new Error('stdin must not be read');
  };
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lucid-creds-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const writeConfig = (config: unknown) => writeFileSync(join(dir, 'config.json'), JSON.stringify(config));

  it('never sends GHCR_TOKEN / GITHUB_TOKEN to a registry other than ghcr.io', async () => {
    const env = { GHCR_TOKEN: 'ghp_for_github_only', GITHUB_TOKEN: 'ghs_for_github_only', HOME: '/nonexistent' };
    expect((await session('registry.example:5000', env)).credentials).toBeUndefined();
    expect(await credentialsFor('docker.io', {}, env, noStdin)).toBeUndefined();
    expect((await session('ghcr.io', env)).credentials).toMatchObject({ password: 'ghp_for_github_only' });
  });

  it('precedence: --password-stdin, then LUCID_REGISTRY_<HOST>_*, then (ghcr.io) GHCR_TOKEN, then config.json', async () => {
    writeConfig({ auths: { 'ghcr.io': { auth: basicAuthValue('cfg', 'from-config') } } });
    const env = {
      DOCKER_CONFIG: dir,
      GHCR_TOKEN: 'from-ghcr-token',
      LUCID_REGISTRY_GHCR_IO_USERNAME: 'ci',
      LUCID_REGISTRY_GHCR_IO_PASSWORD: 'from-env-pair',
    };
    const stdin = async () => 'from-stdin\n';
    expect(await credentialsFor('ghcr.io', { passwordStdin: true, username: 'me' }, env, stdin)).toEqual({
      username: 'me',
      password: 'from-stdin',
      source: 'stdin',
    });
    expect(await credentialsFor('ghcr.io', {}, env, noStdin)).toMatchObject({
      username: 'ci',
      password: 'from-env-pair',
    });
    const { LUCID_REGISTRY_GHCR_IO_PASSWORD: _p, ...noPair } = env;
    expect(await credentialsFor('ghcr.io', {}, noPair, noStdin)).toMatchObject({ password: 'from-ghcr-token' });
    const { GHCR_TOKEN: _g, ...configOnly } = noPair;
    expect(await credentialsFor('ghcr.io', {}, configOnly, noStdin)).toMatchObject({
      username: 'cfg',
      password: 'from-config',
    });
  });

  it('runs the credHelper with the server URL on stdin, "get" as its only argument and an explicit environment', async () => {
    writeConfig({ credHelpers: { 'registry.example:5000': 'test' } });
    const calls: Array<{ command: string; args: string[]; input: string }> = [];
    const deps: CredentialDeps = {
      readFile: (p) => require('node:fs').readFileSync(p, 'utf8'),
      runHelper: async (command, args, input) => {
        calls.push({ command, args, input });
        return {
          exitCode: 0,
          stdout: JSON.stringify({ Username: 'helper-user', Secret: 'helper-secret-1' }),
          stderr: '',
        };
      },
    };
    const env = { DOCKER_CONFIG: dir, PATH: '/bin', GHCR_TOKEN: 'ghp_never_to_helpers', NPM_TOKEN: 'npm_x' };
    const creds = await credentialsFor('registry.example:5000', {}, env, noStdin, deps);
    expect(creds).toMatchObject({ username: 'helper-user', password: 'helper-secret-1' });
    expect(calls).toEqual([{ command: 'docker-credential-test', args: ['get'], input: 'registry.example:5000' }]);
    expect(helperEnv(env)).toEqual({ DOCKER_CONFIG: dir, PATH: '/bin' });
  });

  it('a helper that is not on PATH is an error naming it and the config entry', async () => {
    writeConfig({ credsStore: 'nosuchhelper' });
    await expect(credentialsFor('registry.example', {}, { DOCKER_CONFIG: dir, PATH: dir }, noStdin)).rejects.toThrow(
      /docker-credential-nosuchhelper \(named by .*config.json credsStore\) could not run: .*not installed/,
    );
  });

  it('registers every resolved secret (raw and Basic) so the last line of defence redacts it', async () => {
    writeConfig({ auths: { 'registry.example': { username: 'u', password: 'cfg-secret-abc' } } });
    await credentialsFor('registry.example', {}, { DOCKER_CONFIG: dir }, noStdin);
    expect(registeredSecrets()).toEqual(
      expect.arrayContaining(['cfg-secret-abc', basicAuthValue('u', 'cfg-secret-abc')]),
    );
    const lines: string[] = [];
    await runWithRedactedFailure(
      'push',
      'api',
      async () => {
        throw new Error(`denied cfg-secret-abc / Basic-less ${basicAuthValue('u', 'cfg-secret-abc')}`);
      },
      (l) => lines.push(l),
    );
    expect(lines.join('\n')).not.toMatch(/cfg-secret-abc|Y2ZnLXNlY3JldC1hYmM|dTpjZmctc2VjcmV0LWFiYw/);
  });

  it('docker.io: library/ for a one-segment name, credentials looked up under index.docker.io/v1/', async () => {
    expect(normalizeRepository('docker.io', 'nginx')).toBe('library/nginx');
    const hub = resolveImageTarget({ registry: 'docker.io', repository: 'acme' }, 'api', {});
    expect(hub).toMatchObject({ registry: 'docker.io', repository: 'acme/api', image: 'docker.io/acme/api' });
    const urls: string[] = [];
    const recording = (async (url: string | URL) => {
      urls.push(String(url));
      return new Response('{}', { status: 200 });
    }) as typeof fetch;
    await openSession(
      hub,
      { retries: 0 },
      { HOME: '/nonexistent' },
      { client: { fetchImpl: recording } },
      () => undefined,
    );
    expect(urls).toEqual(['https://registry-1.docker.io/v2/']);
    writeConfig({ auths: { 'https://index.docker.io/v1/': { auth: basicAuthValue('hubuser', 'hub-pat') } } });
    expect(await credentialsFor('docker.io', {}, { DOCKER_CONFIG: dir }, noStdin)).toMatchObject({
      username: 'hubuser',
      password: 'hub-pat',
    });
    expect(authHint('registry-1.docker.io')).toMatch(
      /LUCID_REGISTRY_DOCKER_IO_USERNAME and LUCID_REGISTRY_DOCKER_IO_PASSWORD/,
    );
    expect(authHint('registry.example')).not.toMatch(/GHCR_TOKEN/);
  });
});
