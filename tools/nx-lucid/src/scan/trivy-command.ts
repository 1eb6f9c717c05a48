import { existsSync, lstatSync } from 'node:fs';
import { ensureDir, freshDir, removePath, symlinkDir, writeFilePlain } from '../boundary/files';
import { join, resolve } from 'node:path';
import type { Descriptor } from '../oci/types';
import { MediaType } from '../oci/media-types';
import { SEVERITIES } from './report';

export interface TrivyImageScan {
  /** OCI layout directory to scan (`--input`): the build output's, or the one a scan by reference pulled. */
  input: string;
  output: string;
  /** This scan's own Trivy cache dir: Trivy's scan cache is a BoltDB file one process may hold at a time. */
  cacheDir: string;
  /** The DB in cacheDir is a shared, already downloaded copy: do not try to update it. */
  skipDbUpdate: boolean;
  /** The private files that keep repository and user settings out (see trivyIsolation). */
  isolation: Pick<TrivyIsolation, 'configFile' | 'ignoreFile'>;
}

/** What the report must hold whatever a trivy.yaml or TRIVY_* says: every severity, vulnerabilities and secrets. */
export const TRIVY_SCANNERS = ['vuln', 'secret'] as const;

/**
 * Trivy reads trivy.yaml and .trivyignore from its working directory unless told otherwise, and would drop
 * findings before the gate reads them. It runs in a private, empty working directory, with --config naming an
 * empty config file and --ignorefile an empty ignore file (the gate applies the configured ignore file itself,
 * so it can say what each entry ignored).
 */
export interface TrivyIsolation {
  cwd: string;
  configFile: string;
  ignoreFile: string;
}

export const trivyIsolation = (workRoot: string): TrivyIsolation => ({
  cwd: join(workRoot, 'trivy-cwd'),
  configFile: join(workRoot, 'trivy-config.yaml'),
  ignoreFile: join(workRoot, 'trivy-no-ignores'),
});

export function writeTrivyIsolation(i: TrivyIsolation): void {
  ensureDir(i.cwd);
  writeFilePlain(i.configFile, '# empty on purpose: no repository or user Trivy settings apply to the gate\n{}\n');
  writeFilePlain(i.ignoreFile, '');
}

/**
 * `trivy image …` arguments. Always an OCI layout (`--input`): Trivy never reaches a registry, so it never needs
 * a credential. The report always goes to a file; --quiet keeps progress bars out of CI logs.
 */
export function trivyImageArgs(s: TrivyImageScan): string[] {
  const args = ['image', '--input', s.input];
  args.push('--format', 'json', '--output', s.output, '--cache-dir', s.cacheDir, '--quiet');
  args.push('--config', s.isolation.configFile, '--ignorefile', s.isolation.ignoreFile);
  args.push('--severity', SEVERITIES.join(','), '--scanners', TRIVY_SCANNERS.join(','));
  if (s.skipDbUpdate) args.push('--skip-db-update', '--skip-java-db-update');
  return args;
}

/**
 * `trivy image --format cyclonedx …`: the SBOM of the same layout view, from the same cache dir (the layers are
 * analysed again, since CycloneDX adds file digests to the analysis, but no DB is downloaded: without --scanners
 * Trivy runs no security scanner for an SBOM format and opens no vulnerability DB; pkg/flag/options.go). No
 * --scanners on purpose: `--scanners vuln` would put vulnerabilities, which change with each day's DB, into the
 * SBOM. The empty --config still keeps a trivy.yaml's `scan.scanners` out; TRIVY_SCANNERS is not passed on.
 */
export function trivySbomArgs(s: TrivyImageScan): string[] {
  const args = ['image', '--input', s.input];
  args.push('--format', 'cyclonedx', '--output', s.output, '--cache-dir', s.cacheDir, '--quiet');
  args.push('--config', s.isolation.configFile);
  if (s.skipDbUpdate) args.push('--skip-db-update', '--skip-java-db-update');
  return args;
}

/** `trivy convert --format sarif …`: Trivy's own SARIF writer, fed the JSON report it produced. */
export function trivyConvertArgs(
  report: string,
  output: string,
  isolation: Pick<TrivyIsolation, 'configFile' | 'ignoreFile'>,
  ignoreFile?: string,
): string[] {
  return [
    'convert',
    '--config',
    isolation.configFile,
    '--format',
    'sarif',
    '--output',
    output,
    '--ignorefile',
    ignoreFile ?? isolation.ignoreFile,
    report,
  ];
}

/**
 * Trivy reads an OCI layout's index.json and follows the FIRST manifest, descending into a nested image index
 * (pkg/fanal/image/oci.go): given our layout (index.json → image index → one manifest per platform) it would
 * only ever scan the first platform. So each platform gets a tiny layout of its own: an index.json naming just
 * that platform's manifest, and `blobs` as a symlink to the real layout's blobs (nothing is copied).
 */
export function writePlatformLayoutView(
  ociDir: string,
  manifest: Pick<Descriptor, 'digest' | 'mediaType' | 'size' | 'platform'>,
  viewDir: string,
): void {
  freshDir(viewDir);
  writeFilePlain(join(viewDir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFilePlain(
    join(viewDir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [manifest] }),
  );
  const blobs = resolve(ociDir, 'blobs');
  if (!existsSync(blobs))
    throw new Error(`${blobs} not found: the OCI layout is incomplete; rebuild with container-build`);
  symlinkDir(blobs, join(viewDir, 'blobs'));
}

/**
 * Points <cacheDir>/db (and java-db) at a shared, already downloaded Trivy DB, so parallel scans each keep their
 * own scan cache but read one DB (opened read-only by Trivy; at worst bbolt's file lock makes them wait for each
 * other, never corrupts it). Returns whether a shared DB was linked.
 */
export function linkSharedDb(cacheDir: string, sharedDbCacheDir: string): boolean {
  ensureDir(cacheDir);
  let linked = false;
  for (const sub of ['db', 'java-db']) {
    const src = resolve(sharedDbCacheDir, sub);
    if (!existsSync(src)) continue;
    const dest = join(cacheDir, sub);
    if (existsSync(dest) || isDanglingLink(dest)) removePath(dest);
    symlinkDir(src, dest);
    linked = linked || sub === 'db';
  }
  return linked;
}

function isDanglingLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

export { platformSlug } from '../oci/types';
