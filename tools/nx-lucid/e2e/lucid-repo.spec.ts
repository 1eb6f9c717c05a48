import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, RunResult } from '../src/boundary/process';
import { describeWhenAvailable, LUCID_TREE_TARBALL, lucidTreeRequirement } from './support/external-requirements';
import { packPlugin, WORKSPACE_NX_VERSION } from './support/packed-plugin';
import { NX_ENV } from './support/workspace';

/**
 * Adopting the real Lucid repository (HamiGames/Lucid at 29c889df): extracted into a temp folder, made a git
 * repository, the plugin and nx installed, the nx.json `nx init` leaves, then `nx g @lucid/nx-lucid:init`.
 */
const SEED: Record<number, string[]> = {
  1: ['auth-service', 'storage-database', 'mongodb', 'redis', 'elasticsearch'],
  2: [
    'api-gateway',
    'blockchain-core',
    'blockchain-engine',
    'session-anchoring',
    'block-manager',
    'data-chain',
    'service-mesh-controller',
  ],
  3: [
    'session-pipeline',
    'session-recorder',
    'session-processor',
    'session-storage',
    'session-api',
    'rdp-server-manager',
    'rdp-xrdp',
    'rdp-controller',
    'rdp-monitor',
    'node-management',
  ],
  4: [
    'admin-interface',
    'tron-client',
    'tron-payout-router',
    'tron-wallet-manager',
    'tron-usdt-manager',
    'tron-staking',
    'tron-payment-gateway',
  ],
};

/**
 * Installs the plugin as an adopter gets it: `npm pack` of tools/nx-lucid (compiled JavaScript), then the
 * tarball and nx installed with npm; no TypeScript source, tsconfig paths or transpiler from this repository.
 */
async function installPlugin(root: string): Promise<void> {
  const env = { ...process.env, ...NX_ENV };
  const tarball = await packPlugin(root, env);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'lucid', private: true }, null, 2));
  await runProcess(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `nx@${WORKSPACE_NX_VERSION}`],
    {
      cwd: root,
      env,
    },
  );
  rmSync(tarball);
}

let root: string;
const run = (cmd: string, args: string[]): Promise<RunResult> =>
  runProcess(cmd, args, { cwd: root, env: { ...process.env, ...NX_ENV }, allowFailure: true });
const nx = (args: string[]) => run(join(root, 'node_modules/.bin/nx'), args);
const git = async (args: string[]) =>
  (
    await run('git', [
      '-c',
      'user.name=lucid-test',
      '-c',
      'user.email=test@lucid.invalid',
      '-c',
      'commit.gpgsign=false',
      ...args,
    ])
  ).stdout.trim();
const commit = async (message: string) => {
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', message]);
  return git(['rev-parse', 'HEAD']);
};
const lines = (r: RunResult) =>
  r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();

describeWhenAvailable([lucidTreeRequirement])('nx g @lucid/nx-lucid:init on the Lucid tree', () => {
  let adopted: string;
  let initOutput: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'lucid-repo-'));
    const untar = await run('tar', ['-xzf', LUCID_TREE_TARBALL, '-C', root]);
    expect(untar.exitCode).toBe(0);
    await installPlugin(root);
    appendFileSync(join(root, '.gitignore'), '\nnode_modules\n.nx\ndist\n');
    // What `nx init` leaves in a repository without a package manager workspace.
    writeFileSync(
      join(root, 'nx.json'),
      JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json' }, null, 2),
    );
    await git(['init', '-q', '-b', 'main']);
    await commit('Lucid at 29c889df');

    const dry = await nx(['g', '@lucid/nx-lucid:init', '--dry-run']);
    expect(dry.exitCode).toBe(0);
    expect(await git(['status', '--porcelain'])).toBe('');
    const init = await nx(['g', '@lucid/nx-lucid:init']);
    initOutput = init.stdout + init.stderr;
    expect(init.exitCode).toBe(0);
    adopted = await commit('adopt');
  }, 600_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('prints what it mapped and what it could not', () => {
    expect(initOutput).toContain('mapped 29 catalogue service(s)');
    expect(initOutput).toContain('auth-service (phase 1) <- auth/Dockerfile');
    expect(initOutput).toMatch(/compose build blocks that could not be used \d+:/);
    expect(initOutput).toContain('builds configs/container/base/Dockerfile.python-base, which does not exist');
  });

  it('nx show projects exits 0; at least 140 projects have container-build; every project has a name', async () => {
    const all = await nx(['show', 'projects']);
    expect(all.exitCode).toBe(0);
    expect(all.stderr).not.toMatch(/no name provided/);
    const builds = await nx(['show', 'projects', '--with-target=container-build']);
    expect(lines(builds).length).toBeGreaterThanOrEqual(140);
  }, 300_000);

  it("the seed's services exist with their phase tag", async () => {
    let found = 0;
    for (const [phase, names] of Object.entries(SEED)) {
      const r = await nx(['show', 'projects', `--projects=tag:phase:${phase}`]);
      expect(r.exitCode).toBe(0);
      const listed = lines(r);
      found += names.filter((n) => listed.includes(n)).length;
      if (phase === '1') expect(listed).toContain('auth-service');
    }
    expect(found).toBeGreaterThanOrEqual(25);
  }, 300_000);

  it('run-many -t container-build --graph: a task graph without a cycle', async () => {
    const r = await nx(['run-many', '-t', 'container-build', '--graph=tasks.json']);
    // (Stage cycles inside single broken Dockerfiles are warnings about those files, not about the task graph.)
    expect(r.stdout + r.stderr).not.toMatch(
      /task graph has a circular dependency|Dockerfile dependencies make \d+ cycle/,
    );
    expect(r.exitCode).toBe(0);
    const graph = JSON.parse(readFileSync(join(root, 'tasks.json'), 'utf8'));
    expect(Object.keys(graph.tasks.tasks).length).toBeGreaterThanOrEqual(140);
    rmSync(join(root, 'tasks.json'));
  }, 600_000);

  it('a change under payment_systems/tron/: lucid affected lists exactly the services reading it; nx affected covers them', async () => {
    appendFileSync(join(root, 'payment_systems/tron/config.py'), '\n# touched by the e2e test\n');
    const changed = await commit('tron change');
    const lucid = await run(join(root, 'node_modules/.bin/lucid'), [
      'affected',
      `--base=${adopted}`,
      `--head=${changed}`,
      '--json',
    ]);
    expect(lucid.exitCode).toBe(0);
    const affected = JSON.parse(lucid.stdout).affected as Array<{ name: string; reason: { files?: string[] } }>;
    // Read from the Dockerfiles by hand: COPY of payment_systems/tron (or a folder above it) with the repository
    // root as context, the tron Dockerfile's own folder context (COPY . .), and sessions/api's `COPY . .` of the whole root.
    expect(affected.map((a) => a.name).sort()).toEqual(
      [
        'chain-to-pay',
        'consensus-engine',
        'network-friendly',
        'payment-gateway',
        'payment-systems',
        'payment-systems-wallet',
        'server-service-mesh-controller',
        'sessions-api',
        'tron',
        'tron-client',
        'tron-node-client',
        'tron-payment-gateway',
        'tron-payment-service',
        'tron-payout-router',
        'tron-staking',
        'tron-tron-relay',
        'tron-usdt-manager',
        'tron-wallet-manager',
      ].sort(),
    );
    expect(affected.every((a) => a.reason.files?.includes('payment_systems/tron/config.py'))).toBe(true);
    const nxAffected = await nx(['show', 'projects', '--affected', `--base=${adopted}`, `--head=${changed}`]);
    expect(nxAffected.exitCode).toBe(0);
    expect(lines(nxAffected)).toEqual(expect.arrayContaining(affected.map((a) => a.name)));
  }, 600_000);
});
