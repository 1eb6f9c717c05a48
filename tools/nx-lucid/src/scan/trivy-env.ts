import { TOKEN_ENV_VARS } from '../boundary/env-tokens';

/**
 * Trivy's environment, built explicitly: what it needs to run (PATH, HOME, temp dir, locale, CA bundle, proxy,
 * docker config), its own TRIVY_* settings minus credentials, and nothing else, so CI tokens never reach it.
 * A registry token is added only to scan a ghcr.io reference, and only as GITHUB_TOKEN: Trivy's keychain
 * (go-containerregistry pkg/authn/github) sends it to ghcr.io alone, where TRIVY_USERNAME/TRIVY_PASSWORD would
 * go to every registry Trivy talks to (the DB mirrors included).
 */
const PASS = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'TMPDIR',
  'TMP',
  'TEMP',
  'LANG',
  'LANGUAGE',
  'TZ',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'DOCKER_CONFIG',
  'XDG_CACHE_HOME',
  'XDG_CONFIG_HOME',
  'XDG_RUNTIME_DIR',
  'CI',
];
const CREDENTIAL = /PASSWORD|TOKEN|USERNAME|SECRET|CREDENTIAL|_KEY$/i;
const GITHUB_REGISTRIES = ['ghcr.io', 'docker.pkg.github.com'];

/** The registry host of an image reference (docker.io when the first component is not a host). */
export function registryOf(ref: string): string {
  const first = ref.split('/')[0];
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
    ? first
    : 'docker.io';
}

export function trivyEnv(parent: NodeJS.ProcessEnv, scan: { imageRef?: string } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(parent)) {
    if (v === undefined) continue;
    if (PASS.includes(k) || k.startsWith('LC_') || (k.startsWith('TRIVY_') && !CREDENTIAL.test(k.slice(6)))) env[k] = v;
  }
  if (scan.imageRef && GITHUB_REGISTRIES.includes(registryOf(scan.imageRef))) {
    const token = TOKEN_ENV_VARS.map((n) => parent[n]?.trim()).find(Boolean);
    if (token) {
      env.GITHUB_TOKEN = token;
      if (parent.GITHUB_ACTOR) env.GITHUB_ACTOR = parent.GITHUB_ACTOR;
    }
  }
  return env;
}
