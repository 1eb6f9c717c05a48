/**
 * Steps shared by the generated workflows. Every checkout drops its token (persist-credentials: false), so no
 * later step — Trivy above all — finds a GitHub token in .git/config.
 */
import { registryEnvPrefix } from '../registry/docker-credentials';
import { ACTIONS } from './pins';
import type { CiWorkflowInput, Job, Step } from './input';
import { execPrefix, installCommand, PackageManager, packageManagerSetup } from './package-manager';

/** Where the Trivy DB shared by every scan of a job lives (the scan executor reads $LUCID_TRIVY_DB_DIR). */
export const TRIVY_DB_DIR = '.lucid/trivy-db';

export const checkout = (opts: { fullHistory: boolean; ref?: string } = { fullHistory: false }): Step => ({
  name: opts.fullHistory ? 'Check out with full history (affected compares commits)' : 'Check out',
  uses: ACTIONS.checkout,
  with: {
    ...(opts.fullHistory ? { 'fetch-depth': 0 } : {}),
    ...(opts.ref ? { ref: opts.ref } : {}),
    'persist-credentials': false,
  },
});

export const setShas = (input: CiWorkflowInput): Step => ({
  name: 'Base and head for affected (last successful run on the default branch)',
  id: 'shas',
  uses: ACTIONS.nxSetShas,
  with: { 'main-branch-name': input.defaultBranch },
});

const packageManager = (input: CiWorkflowInput): PackageManager => input.packageManager ?? { name: 'npm' };

/** A workspace binary's command line with this workspace's package manager: `npx --no-install nx …`, `pnpm exec nx …`. */
export const bin = (input: CiWorkflowInput, command: string): string =>
  `${execPrefix(packageManager(input))} ${command}`;

/**
 * The package manager, Node with its dependency cache, the locked install, and — when nx.json names no image
 * repository — LUCID_REPOSITORY from this workflow's own repository, lower-cased (image names must be).
 */
export function setupNode(input: CiWorkflowInput): Step[] {
  const pm = packageManager(input);
  return [
    ...packageManagerSetup(pm),
    { name: 'Set up Node', uses: ACTIONS.setupNode, with: { 'node-version': input.nodeVersion, cache: pm.name } },
    { name: 'Install dependencies', run: installCommand(pm) },
    ...(input.repository ? [] : [repositoryFromWorkflow()]),
  ];
}

export const repositoryFromWorkflow = (): Step => ({
  name: 'Image repository: this repository, lower-cased',
  run: 'echo "LUCID_REPOSITORY=${GITHUB_REPOSITORY,,}" >> "$GITHUB_ENV"',
});

/**
 * Env for Nx's shared cache. Self-hosted (Nx ≥ 20.8 HTTP cache, OpenAPI spec): Nx 23 has no client-side
 * read-only switch, so read-only is the server's: pull requests and every Trivy job get a read-only token
 * (the server answers a PUT with 403), only the default branch's build gets the read-write one. The server URL
 * is a repository variable; without the token (forks) the URL is left empty, which turns the cache off.
 */
export function remoteCacheEnv(input: CiWorkflowInput, access: 'read' | 'read-write'): Record<string, string> {
  const secret = access === 'read-write' ? 'NX_CACHE_READ_WRITE_TOKEN' : 'NX_CACHE_READ_TOKEN';
  if (input.remoteCache === 'self-hosted') {
    return {
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: `\${{ secrets.${secret} != '' && vars.NX_SELF_HOSTED_REMOTE_CACHE_SERVER || '' }}`,
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: `\${{ secrets.${secret} }}`,
    };
  }
  if (input.remoteCache === 'nx-cloud') {
    return {
      NX_CLOUD_ACCESS_TOKEN: `\${{ secrets.${access === 'read-write' ? 'NX_CLOUD_ACCESS_TOKEN' : 'NX_CLOUD_READ_TOKEN'} }}`,
    };
  }
  return {};
}

/** Workflow-level env; NX_NO_CLOUD unless the workspace uses Nx Cloud. */
export function sharedEnv(input: CiWorkflowInput, platforms: string): Record<string, string> {
  return {
    ...(input.remoteCache === 'nx-cloud' ? {} : { NX_NO_CLOUD: 'true' }),
    NX_DAEMON: 'false',
    // The build executor reads these (plugin option overrides).
    LUCID_ENGINE: 'buildx',
    LUCID_PLATFORMS: platforms,
    LUCID_TRIVY_DB_DIR: TRIVY_DB_DIR,
  };
}

/**
 * Trivy from setup-trivy at an explicit version, and its DB: one per UTC day from the Actions cache (downloaded
 * on a miss), or always fresh (the daily re-scan).
 */
export function trivySteps(input: CiWorkflowInput, opts: { freshDb: boolean } = { freshDb: false }): Step[] {
  const install: Step = {
    name: `Install Trivy ${input.trivyVersion}`,
    uses: ACTIONS.setupTrivy,
    with: { version: input.trivyVersion, cache: true },
  };
  const download = (cond?: string): Step => ({
    name: cond ? "Download today's Trivy DB (cache miss only)" : 'Download a fresh Trivy DB',
    if: cond,
    run: `trivy image --download-db-only --no-progress --cache-dir ${TRIVY_DB_DIR}`,
  });
  if (opts.freshDb) return [install, download()];
  return [
    {
      name: 'Trivy DB cache key (UTC day)',
      id: 'trivy-day',
      run: 'echo "day=$(date -u +%Y-%m-%d)" >> "$GITHUB_OUTPUT"',
    },
    {
      name: 'Restore the Trivy DB of the day',
      id: 'trivy-db',
      uses: ACTIONS.cache,
      with: { path: TRIVY_DB_DIR, key: 'trivy-db-${{ steps.trivy-day.outputs.day }}' },
    },
    install,
    download("steps.trivy-db.outputs.cache-hit != 'true'"),
  ];
}

/** Build outputs handed from one job of this run to the next through the Actions cache (no artifact action is pinned). */
export const handoffKey = (what: 'build' | 'scan' | 'push', suffix: string) =>
  `lucid-${what}-\${{ github.run_id }}-\${{ github.run_attempt }}-${suffix}`;

export function saveHandoff(name: string, path: string, key: string, condition?: string): Step {
  return { name, if: condition, uses: ACTIONS.cacheSave, with: { path, key } };
}

export function restoreHandoff(name: string, path: string, key: string): Step {
  return { name, uses: ACTIONS.cacheRestore, with: { path, key, 'fail-on-cache-miss': true } };
}

/**
 * The SARIF upload of one service (an expression such as `${{ matrix.service }}`), under its own category: a Code
 * Scanning analysis replaces the previous one of the same category, so a shared category would close the alerts
 * of every service this run did not scan.
 */
export function sarifUpload(
  input: CiWorkflowInput,
  service: string,
  opts: { category: string; outputRoot?: string; label?: string },
): Step {
  const outputRoot = opts.outputRoot ?? input.outputRoot;
  const report = `${outputRoot}/${service}/scan/report.sarif`;
  const exists = `hashFiles(format('${outputRoot}/{0}/scan/report.sarif', matrix.service)) != ''`;
  return {
    name: `SARIF${opts.label ? ` (${opts.label})` : ''}`,
    if: `!cancelled() && ${exists}`,
    uses: ACTIONS.uploadSarif,
    with: { sarif_file: report, category: opts.category },
  };
}

export function isolationJob(input: CiWorkflowInput): Job | null {
  if (!input.isolationTask) return null;
  return {
    name: 'isolation rules',
    'runs-on': input.runner,
    'timeout-minutes': 15,
    permissions: { contents: 'read' },
    steps: [
      checkout(),
      ...setupNode(input),
      { name: 'Isolation rules over the project graph', run: bin(input, `nx run ${input.isolationTask}`) },
    ],
  };
}

/**
 * The registry credentials, in the env of the one step that pushes: ghcr.io takes the job's GITHUB_TOKEN as
 * GHCR_TOKEN (sent to ghcr.io only); any other registry the LUCID_REGISTRY_<HOST>_USERNAME/_PASSWORD pair the
 * push and release executors read for that host. One other registry reads the LUCID_REGISTRY_USERNAME/_PASSWORD
 * secrets; with several, each reads secrets named like its variables (one password must not go to two hosts).
 */
export function registryCredentialEnv(
  input: CiWorkflowInput,
  readSecret = (name: string) => `\${{ secrets.${name} }}`,
): Record<string, string> {
  const registries = pushRegistries(input);
  const env: Record<string, string> = registries.includes('ghcr.io')
    ? { GHCR_TOKEN: '${{ secrets.GITHUB_TOKEN }}' }
    : {};
  for (const registry of registries.filter((r) => r !== 'ghcr.io')) {
    const prefix = registryEnvPrefix(registry);
    env[`${prefix}_USERNAME`] = readSecret(registrySecret(input, registry, 'USERNAME'));
    env[`${prefix}_PASSWORD`] = readSecret(registrySecret(input, registry, 'PASSWORD'));
  }
  return env;
}

/** The registries every image is pushed to. */
export const pushRegistries = (input: CiWorkflowInput): string[] =>
  input.registries?.length ? input.registries : [input.registry];

/** The name of the secret holding a registry's (not ghcr.io's) USERNAME or PASSWORD (see registryCredentialEnv). */
export function registrySecret(input: CiWorkflowInput, registry: string, part: 'USERNAME' | 'PASSWORD'): string {
  const others = pushRegistries(input).filter((r) => r !== 'ghcr.io');
  return others.length === 1 ? `LUCID_REGISTRY_${part}` : `${registryEnvPrefix(registry)}_${part}`;
}
