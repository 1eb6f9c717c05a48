/**
 * Which Trivy releases the plugin runs, read by the scan (at scan time, from `trivy version`) and by the CI
 * generator (an explicit --trivyVersion). One source for both.
 */

/** Trivy releases that were malicious (v0.69.4) or whose images were (0.69.5, 0.69.6): GHSA-69fq-xp46-6x23. */
export const COMPROMISED_TRIVY_VERSIONS = ['0.69.4', '0.69.5', '0.69.6'] as const;
export const DEFAULT_TRIVY_VERSION = 'v0.74.0';
/** The oldest release that accepts every flag the scan passes (`--scanners` and `--skip-java-db-update` came in 0.37). */
export const OLDEST_SUPPORTED_TRIVY = '0.37.0';

const parts = (v: string) => /^v?(\d+)\.(\d+)\.(\d+)/.exec(v.trim())?.slice(1, 4).map(Number);

export function isCompromisedTrivy(version: string): boolean {
  const p = parts(version);
  return !!p && (COMPROMISED_TRIVY_VERSIONS as readonly string[]).includes(p.join('.'));
}

/**
 * Why this Trivy version must not run, or undefined when it may. A version that is not a release number
 * (a development build: "dev", a commit) is allowed: only known releases can be judged.
 */
export function trivyVersionProblem(version: string): string | undefined {
  const p = parts(version);
  if (!p) return undefined;
  if (isCompromisedTrivy(version))
    return `Trivy ${version} is a compromised release (0.69.4–0.69.6, GHSA-69fq-xp46-6x23); install ${DEFAULT_TRIVY_VERSION}`;
  const min = parts(OLDEST_SUPPORTED_TRIVY)!;
  const older = p[0] - min[0] || p[1] - min[1] || p[2] - min[2];
  if (older < 0)
    return `Trivy ${version} is older than the oldest supported release ${OLDEST_SUPPORTED_TRIVY} (it lacks flags the scan passes); install ${DEFAULT_TRIVY_VERSION}`;
  return undefined;
}
