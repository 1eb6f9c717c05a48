import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, RunResult } from '../src/boundary/process';
import { describeWhenAvailable, LUCID_TREE_TARBALL, lucidTreeRequirement } from './support/external-requirements';
import { packPlugin, WORKSPACE_NX_VERSION } from './support/packed-plugin';
import { testGit } from './support/git';
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
const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
  runProcess(cmd, args, { cwd: root, env: { ...process.env, ...NX_ENV, ...env }, allowFailure: true });
const nx = (args: string[], env?: NodeJS.ProcessEnv) => run(join(root, 'node_modules/.bin/nx'), args, env);
const plain = (r: RunResult) => `${r.stdout}\n${r.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');

/**
 * Stand-ins for every engine, first on PATH: each records that it was started and fails. A build that never
 * reaches the engine leaves no record; one that does (a dry run asks each engine for its version) leaves one.
 */
function engineRecorder(): { env: NodeJS.ProcessEnv; started: () => string[] } {
  // Outside the repository, so nothing of it is ever committed or read by a build.
  const bin = join(`${root}-engines`, 'bin');
  const record = join(`${root}-engines`, 'started.log');
  mkdirSync(bin, { recursive: true });
  for (const engine of ['buildah', 'podman', 'docker']) {
    writeFileSync(join(bin, engine), `#!/bin/sh\necho "$0 $*" >> '${record}'\nexit 1\n`);
    chmodSync(join(bin, engine), 0o755);
  }
  rmSync(record, { force: true });
  return {
    // One platform: this machine has no arm64 emulator, which the build refuses before the preflight.
    // And an image repository: the tree has no origin remote to name one.
    env: { PATH: `${bin}:${process.env.PATH}`, LUCID_PLATFORMS: 'linux/amd64', LUCID_REPOSITORY: 'hamigames/lucid' },
    started: () => (existsSync(record) ? readFileSync(record, 'utf8').split('\n').filter(Boolean) : []),
  };
}
const { git, commit } = testGit(() => root);
const lines = (r: RunResult) =>
  r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();

describeWhenAvailable([lucidTreeRequirement])('the Lucid tree, adopted as a new user would', () => {
  let adopted: string;
  let initOutput: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'lucid-repo-'));
    const untar = await run('tar', ['-xzf', LUCID_TREE_TARBALL, '-C', root]);
    expect(untar.exitCode).toBe(0);
    await installPlugin(root);
    // The README's step: Lucid's .gitignore quotes its node_modules line ("node_modules/"), which git reads literally.
    appendFileSync(join(root, '.gitignore'), '\nnode_modules/\n.nx/\ndist/\n');
    // What `nx init` leaves in a repository without a package manager workspace.
    writeFileSync(
      join(root, 'nx.json'),
      JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json' }, null, 2),
    );
    await git(['init', '-q', '-b', 'main']);
    await commit('Lucid at 29c889df');
    expect(await git(['ls-files', 'node_modules'])).toBe('');

    const dry = await nx(['g', '@lucid/nx-lucid:init', '--dry-run']);
    expect(dry.exitCode).toBe(0);
    expect(await git(['status', '--porcelain'])).toBe('');
    const init = await nx(['g', '@lucid/nx-lucid:init']);
    initOutput = init.stdout + init.stderr;
    expect(init.exitCode).toBe(0);
    adopted = await commit('adopt');
  }, 600_000);
  afterAll(() => {
    if (!root) return;
    rmSync(root, { recursive: true, force: true });
    rmSync(`${root}-engines`, { recursive: true, force: true });
  });

  describe('nx g @lucid/nx-lucid:init on the Lucid tree', () => {
    it('prints what it mapped and what it could not', () => {
      expect(initOutput).toContain('mapped 29 catalogue service(s)');
      expect(initOutput).toMatch(/compose build blocks that could not be used \d+:/);
      expect(initOutput).toContain('builds configs/container/base/Dockerfile.python-base, which does not exist');
    });

    it('checks what it maps: warns for the two broken seed mappings and picks the candidates that parse', () => {
      const text = initOutput.replace(/\u001b\[[0-9;]*m/g, '');
      expect(text).toContain('auth-service (phase 1) <- infrastructure/containers/auth/Dockerfile.auth-service');
      expect(text).toContain('session-recorder (phase 3) <- apps/recorder/Dockerfile');
      expect(text).toContain(
        'auth-service: skipped auth/Dockerfile: auth/Dockerfile:150: circular dependency detected on stage: builder',
      );
      expect(text).toContain(
        'session-recorder: skipped sessions/Dockerfile.recorder: sessions/Dockerfile.recorder:180: COPY needs at least one source and a destination',
      );
      expect(text).toContain(
        'node-management <- node/Dockerfile.node-management, which cannot build as it is: target "distroless" is not a stage of node/Dockerfile.node-management (its named stages: builder) (node/docker-compose.yml)',
      );
    });
  });

  describe('the adopted Lucid tree: contexts, the preflight, isolation', () => {
    it("admin-interface: compose's context `admin` is corrected to the root, where its COPY sources are; the preflight passes", async () => {
      expect(initOutput).toContain('  admin/Dockerfile: admin -> .');
      const nxJson = JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8'));
      const { options } = nxJson.plugins.find((p: { plugin: string }) => p.plugin === '@lucid/nx-lucid');
      expect(options.projects['admin/Dockerfile'].context).toBe('.');
      // Compose's `target:` is written for the build (node/docker-compose.yml builds the distroless stage).
      expect(options.projects['node/Dockerfile.node-management'].target).toBe('distroless');
      const engines = engineRecorder();
      const dry = await nx(['run', 'admin-interface:container-build', '--dry-run'], engines.env);
      expect(plain(dry)).not.toContain('not in the build context');
      expect(plain(dry)).toContain('-f admin/Dockerfile .');
      expect(dry.exitCode).toBe(0);
    }, 300_000);

    it('a missing COPY source fails the build at its file:line before any engine starts (git-ignored: a secret)', async () => {
      const engines = engineRecorder();
      const r = await nx(['run', 'mongodb:container-build'], engines.env);
      expect(r.exitCode).not.toBe(0);
      expect(plain(r)).toContain(
        'infrastructure/containers/storage/Dockerfile.mongodb:28: COPY configs/environment/.env.secrets: not in the build context . (the workspace root)',
      );
      expect(plain(r)).toContain('git ignores it');
      expect(engines.started()).toEqual([]);
      // --dry-run reports the same; a dry run that gets past the preflight does ask the engines (the recorder works).
      const dry = await nx(['run', 'mongodb:container-build', '--dry-run'], engines.env);
      expect(dry.exitCode).not.toBe(0);
      expect(plain(dry)).toContain(
        'Dockerfile.mongodb:28: COPY configs/environment/.env.secrets: not in the build context',
      );
      expect(engines.started()).toEqual([]);
      await nx(['run', 'tron-client:container-build', '--dry-run'], engines.env);
      expect(engines.started().length).toBeGreaterThan(0);
    }, 300_000);

    it('the checks before the engine on the 29 seed services: 20 pass; 8 COPY sources the tree lacks, 1 target no stage has', async () => {
      const engines = engineRecorder();
      const r = await nx(
        ['run-many', '-t', 'container-build', '--projects=tag:type:service', '--dry-run', '--parallel=2'],
        engines.env,
      );
      const text = plain(r);
      const passed = [...text.matchAll(/✔ {2}nx run (\S+):container-build/g)].map((m) => m[1]);
      expect(passed).toHaveLength(20);
      // node/docker-compose.yml builds `target: distroless`, a stage node/Dockerfile.node-management does not have
      // (its sources are all there); init warned about it.
      expect(text).toContain(
        'target "distroless" is not a stage of node/Dockerfile.node-management (its named stages: builder)',
      );
      expect(passed).not.toContain('node-management');
      const missing = [...text.matchAll(/^\s+- (\S+?):(\d+): COPY (\S+): not in the build context/gm)].map(
        (m) => `${m[1]}:${m[2]} ${m[3]}`,
      );
      // Read from the tree by hand: configs/environment/ is git-ignored (never in a checkout); RDP/ holds no
      // server-manager/, session-controller/ or resource-monitor/ folder; auth-service also COPYs three absent folders.
      const secrets = 'configs/environment/.env.secrets';
      expect(missing.sort()).toEqual(
        [
          `infrastructure/containers/auth/Dockerfile.auth-service:687 ${secrets}`,
          'infrastructure/containers/auth/Dockerfile.auth-service:691 service_configs/kubernetes',
          'infrastructure/containers/auth/Dockerfile.auth-service:708 security',
          'infrastructure/containers/auth/Dockerfile.auth-service:709 utils',
          `infrastructure/containers/storage/Dockerfile.mongodb:28 ${secrets}`,
          `infrastructure/containers/storage/Dockerfile.redis:28 ${secrets}`,
          `infrastructure/containers/storage/Dockerfile.elasticsearch:30 ${secrets}`,
          'RDP/Dockerfile.server-manager:88 RDP/server-manager',
          'RDP/Dockerfile.server-manager:90 RDP/session-controller',
          'RDP/Dockerfile.server-manager:94 RDP/resource-monitor',
          'RDP/Dockerfile.controller:78 RDP/session-controller',
          'RDP/Dockerfile.controller:81 RDP/resource-monitor',
          'RDP/Dockerfile.monitor:90 RDP/resource-monitor',
          'RDP/Dockerfile.xrdp:94 RDP/resource-monitor',
          'RDP/Dockerfile.xrdp:95 RDP/session-controller',
        ].sort(),
      );
    }, 600_000);

    it('isolation, set up by init: the seed services pass; a scope:blockchain image that COPYs payment_systems/ is caught', async () => {
      const ok = await nx(['run', 'workspace:isolation']);
      expect(plain(ok)).toMatch(
        /✔ isolation: 3 rule\(s\) over \d+ projects and \d+ project dependencies, no violations/,
      );
      expect(ok.exitCode).toBe(0);
      // The case: consensus-engine's line 319 copies the whole payment tree, TRON's variants included.
      const nxJsonPath = join(root, 'nx.json');
      const original = readFileSync(nxJsonPath, 'utf8');
      const nxJson = JSON.parse(original);
      const { options } = nxJson.plugins.find((p: { plugin: string }) => p.plugin === '@lucid/nx-lucid');
      options.projects['infrastructure/containers/blockchain/Dockerfile.consensus-engine'] = {
        tags: ['scope:blockchain', 'type:service'],
      };
      writeFileSync(nxJsonPath, JSON.stringify(nxJson, null, 2));
      try {
        const planted = await nx(['run', 'workspace:isolation']);
        expect(planted.exitCode).not.toBe(0);
        expect(plain(planted)).toContain(
          '  - rule "blockchain-never-reaches-tron": consensus-engine → tron-client (tron-client is tagged scope:tron; infrastructure/containers/blockchain/Dockerfile.consensus-engine:319: COPY payment_systems)',
        );
        const violators = [...plain(planted).matchAll(/- rule "[^"]+": (\S+) →/g)].map((m) => m[1]);
        expect([...new Set(violators)]).toEqual(['consensus-engine']);
      } finally {
        writeFileSync(nxJsonPath, original);
      }
    }, 600_000);
  });

  describe('the adopted Lucid tree: the graph and affected', () => {
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
      // As the README says: `npx lucid affected`.
      const lucid = await run('npx', ['lucid', 'affected', `--base=${adopted}`, `--head=${changed}`, '--json']);
      expect(lucid.exitCode).toBe(0);
      const affected = JSON.parse(lucid.stdout).affected as Array<{ name: string; reason: { files?: string[] } }>;
      // Read from the Dockerfiles by hand: COPY of payment_systems/tron (or a folder above it) with the repository
      // root as context, the tron Dockerfile's own folder context (COPY . .), and sessions/api's `COPY . .` of the whole root.
      // Not network-friendly: its line 119 has an unbalanced quote, which BuildKit rejects, so it reads nothing.
      expect(affected.map((a) => a.name).sort()).toEqual(
        [
          'chain-to-pay',
          'consensus-engine',
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
});
