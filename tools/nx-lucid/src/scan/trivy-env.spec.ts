import { trivyImageArgs } from './trivy-command';
import { trivyEnv } from './trivy-env';

const PARENT = {
  PATH: '/usr/bin',
  HOME: '/home/ci',
  LANG: 'C.UTF-8',
  LC_ALL: 'C',
  HTTPS_PROXY: 'http://proxy:3128',
  SSL_CERT_FILE: '/etc/ssl/ca.pem',
  DOCKER_CONFIG: '/home/ci/.docker',
  GITHUB_TOKEN: 'ghp_parentToken',
  GHCR_TOKEN: 'ghp_ghcrToken',
  GITHUB_ACTOR: 'octocat',
  NPM_TOKEN: 'npm_x',
  AWS_SECRET_ACCESS_KEY: 'aws',
  LUCID_REGISTRY_GHCR_IO_PASSWORD: 'p',
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
});

describe('trivy image arguments', () => {
  it('always an OCI layout (no registry, so no credential and no --insecure); repository and user settings neutralised', () => {
    const args = trivyImageArgs({
      input: '/tmp/w/linux-arm64',
      output: 'o.json',
      cacheDir: 'c',
      skipDbUpdate: true,
      isolation: { configFile: 'empty.yaml', ignoreFile: 'none' },
    });
    expect(args).toEqual([
      'image',
      '--input',
      '/tmp/w/linux-arm64',
      '--format',
      'json',
      '--output',
      'o.json',
      '--cache-dir',
      'c',
      '--quiet',
      // Empty config, empty ignore file, every severity, both scanners.
      '--config',
      'empty.yaml',
      '--ignorefile',
      'none',
      '--severity',
      'UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL',
      '--scanners',
      'vuln,secret',
      '--skip-db-update',
      '--skip-java-db-update',
    ]);
  });
});
