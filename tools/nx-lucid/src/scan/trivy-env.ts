/**
 * Trivy's environment, built explicitly: what it needs to run (PATH, HOME, temp dir, locale, CA bundle, proxy,
 * no docker config: Trivy reads only OCI layouts), the few TRIVY_* settings in TRIVY_PASS, and nothing else, so CI tokens never reach it.
 * A scan by reference is pulled by our own registry client first (pull-image.ts): Trivy never needs a token.
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
  'XDG_CACHE_HOME',
  'XDG_CONFIG_HOME',
  'XDG_RUNTIME_DIR',
  'CI',
];
/**
 * The TRIVY_* variables a caller may set: where the DBs come from and how Trivy talks, none of which can change
 * which findings the report holds. Every other one (TRIVY_SEVERITY, TRIVY_IGNOREFILE, TRIVY_IGNORE_UNFIXED,
 * TRIVY_SCANNERS, TRIVY_CONFIG, TRIVY_VEX, TRIVY_IGNORE_POLICY, TRIVY_SKIP_FILES, TRIVY_PASSWORD, …) is dropped:
 * Trivy reads each as the flag of that name and would filter the report before the gate sees it.
 */
export const TRIVY_PASS = [
  'TRIVY_DB_REPOSITORY',
  'TRIVY_JAVA_DB_REPOSITORY',
  'TRIVY_CHECKS_BUNDLE_REPOSITORY',
  'TRIVY_CACERT',
  'TRIVY_TIMEOUT',
  'TRIVY_NO_PROGRESS',
  'TRIVY_DEBUG',
  'TRIVY_SKIP_VERSION_CHECK',
  'TRIVY_DISABLE_TELEMETRY',
];

export function trivyEnv(parent: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(parent)) {
    if (v === undefined) continue;
    if (PASS.includes(k) || k.startsWith('LC_') || TRIVY_PASS.includes(k)) env[k] = v;
  }
  return env;
}
