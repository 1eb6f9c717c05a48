import { isPlainHttpRef, trivyImageArgs } from './trivy-command';
import { registryOf, trivyEnv } from './trivy-env';

const PARENT = {
  PATH: '/usr/bin',
  HOME: '/home/ci',
  LANG: 'C.UTF-8',
  LC_ALL: 'C',
  HTTPS_PROXY: 'http://proxy:3128',
  SSL_CERT_FILE: '/etc/ssl/ca.pem',
  GITHUB_TOKEN: 'ghp_parentToken',
  GHCR_TOKEN: 'ghp_ghcrToken',
  GITHUB_ACTOR: 'octocat',
  NPM_TOKEN: 'npm_x',
  AWS_SECRET_ACCESS_KEY: 'aws',
  TRIVY_DB_REPOSITORY: 'mirror.example/trivy-db',
  TRIVY_PASSWORD: 'p',
  TRIVY_REGISTRY_TOKEN: 't',
  TRIVY_USERNAME: 'u',
  // Trivy reads these as its flags; each would filter the report before the gate reads it.
  TRIVY_SEVERITY: 'CRITICAL',
  TRIVY_IGNOREFILE: '/tmp/.trivyignore',
  TRIVY_IGNORE_UNFIXED: 'true',
  TRIVY_SCANNERS: 'misconfig',
  TRIVY_CONFIG: '/tmp/trivy.yaml',
  TRIVY_VEX: 'repo',
  UNRELATED: 'x',
};

describe('trivyEnv', () => {
  it('passes what Trivy needs to run and the allow-listed TRIVY_* settings (DB mirrors), nothing else', () => {
    expect(trivyEnv(PARENT)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/ci',
      LANG: 'C.UTF-8',
      LC_ALL: 'C',
      HTTPS_PROXY: 'http://proxy:3128',
      SSL_CERT_FILE: '/etc/ssl/ca.pem',
      TRIVY_DB_REPOSITORY: 'mirror.example/trivy-db',
    });
  });

  it('no token for an OCI layout or a registry other than ghcr.io', () => {
    expect(
      trivyEnv(PARENT, { imageRef: '127.0.0.1:5000/lucid/a@sha256:' + 'a'.repeat(64) }).GITHUB_TOKEN,
    ).toBeUndefined();
    expect(trivyEnv(PARENT, { imageRef: 'docker.io/library/alpine:3' }).GITHUB_TOKEN).toBeUndefined();
    expect(trivyEnv(PARENT, { imageRef: 'ghcr.io.evil.example/x:1' }).GITHUB_TOKEN).toBeUndefined();
  });

  it('for a ghcr.io reference, the token (GHCR_TOKEN first) as GITHUB_TOKEN only, never TRIVY_PASSWORD', () => {
    const env = trivyEnv(PARENT, { imageRef: 'ghcr.io/hamigames/lucid/auth-service:latest' });
    expect(env).toMatchObject({ GITHUB_TOKEN: 'ghp_ghcrToken', GITHUB_ACTOR: 'octocat' });
    expect(env.GHCR_TOKEN).toBeUndefined();
    expect(env.TRIVY_PASSWORD).toBeUndefined();
    expect(trivyEnv({ PATH: '/bin' }, { imageRef: 'ghcr.io/a/b:1' })).toEqual({ PATH: '/bin' });
  });

  it('registryOf follows Docker reference rules', () => {
    expect(registryOf('alpine')).toBe('docker.io');
    expect(registryOf('library/alpine:3')).toBe('docker.io');
    expect(registryOf('localhost:5000/a')).toBe('localhost:5000');
    expect(registryOf('ghcr.io/a/b@sha256:x')).toBe('ghcr.io');
  });
});

describe('trivy image arguments for a registry reference', () => {
  it('--insecure only for plain-HTTP registries (loopback or configured), never a token', () => {
    expect(isPlainHttpRef('127.0.0.1:5000/a:1', [])).toBe(true);
    expect(isPlainHttpRef('registry.local:5000/a:1', ['registry.local:5000'])).toBe(true);
    expect(isPlainHttpRef('ghcr.io/a:1', ['registry.local:5000'])).toBe(false);
    const args = trivyImageArgs({
      imageRef: 'registry.local:5000/a:1',
      platform: 'linux/arm64',
      insecure: true,
      output: 'o.json',
      cacheDir: 'c',
      skipDbUpdate: false,
      isolation: { configFile: 'empty.yaml', ignoreFile: 'none' },
    });
    expect(args).toEqual([
      'image',
      '--platform',
      'linux/arm64',
      '--insecure',
      '--format',
      'json',
      '--output',
      'o.json',
      '--cache-dir',
      'c',
      '--quiet',
      // Repository and user settings neutralised: empty config, empty ignore file, every severity, both scanners.
      '--config',
      'empty.yaml',
      '--ignorefile',
      'none',
      '--severity',
      'UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL',
      '--scanners',
      'vuln,secret',
      'registry.local:5000/a:1',
    ]);
  });
});
