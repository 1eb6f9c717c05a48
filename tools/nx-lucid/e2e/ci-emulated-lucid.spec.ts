import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runProcess, RunResult } from '../src/boundary/process';
import { CONTAINERS_WORKFLOW } from '../src/ci/workflows';
import { describeWhenAvailable, LUCID_TREE_TARBALL, lucidTreeRequirement } from './support/external-requirements';
import { packPlugin } from './support/packed-plugin';
import { runJob, Workflow } from './support/workflow-emulator';
import { testGit } from './support/git';
import { pnpmInstall, writePnpmAdopter } from './support/pnpm-adopter';
import { NX_ENV, WORKSPACE_ROOT } from './support/workspace';

/**
 * The generated containers.yml's plan job run in the Lucid tree (HamiGames/Lucid at 29c889df, 151 Dockerfiles),
 * adopted with `nx g @lucid/nx-lucid:init` as a pnpm workspace (the plugin from its packed tarball, as an adopter
 * installs it; nx linked from this repository; pnpm from the npm registry), run as workflow_dispatch with force-rebuild: the phases of the seed's 29 services and the untagged shard of every other Dockerfile
 * project come from the project graph when the job runs. Only the plan job: the tree's images need docker.io and
 * gcr.io bases (e2e/lucid-mirror-build.spec.ts builds one through a mirror).
 */
const describeIf = describeWhenAvailable([lucidTreeRequirement]);

let root: string;
let origin: string;
const run = (cmd: string, args: string[]): Promise<RunResult> =>
  runProcess(cmd, args, { cwd: origin, env: { ...process.env, ...NX_ENV }, allowFailure: true });
const { git, commit } = testGit(() => origin);

describeIf('the generated plan job in the Lucid tree', () => {
  let base: string;
  let head: string;
  beforeAll(async () => {
    await run('node', [join(WORKSPACE_ROOT, 'tools/nx-lucid/scripts/build.js'), '--if-stale']);
    root = mkdtempSync(join(tmpdir(), 'lucid-ci-tree-'));
    origin = join(root, 'origin');
    mkdirSync(origin);
    // Linked (outside node_modules), Nx would take the plugin for a local project and load its TypeScript sources.
    const tarball = await packPlugin(root, { ...process.env, ...NX_ENV });
    expect((await run('tar', ['-xzf', LUCID_TREE_TARBALL, '-C', origin])).exitCode).toBe(0);
    writePnpmAdopter(origin, 'lucid-tree', tarball);
    expect((await pnpmInstall(origin, { ...process.env, ...NX_ENV })).exitCode).toBe(0);
    writeFileSync(
      join(origin, '.gitignore'),
      `${readFileSync(join(origin, '.gitignore'), 'utf8')}\nnode_modules\n.nx\ndist\n`,
    );
    writeFileSync(join(origin, 'nx.json'), JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json' }));
    await git(['init', '-q', '-b', 'main']);
    base = await commit('Lucid at 29c889df');
    expect((await run(join(origin, 'node_modules/.bin/nx'), ['g', '@lucid/nx-lucid:init'])).exitCode).toBe(0);
    const ci = await run(join(origin, 'node_modules/.bin/nx'), ['g', '@lucid/nx-lucid:ci', '--no-interactive']);
    expect({ exitCode: ci.exitCode, output: ci.exitCode ? `${ci.stdout}\n${ci.stderr}` : '' }).toEqual({
      exitCode: 0,
      output: '',
    });
    head = await commit('adopt, CI');
  }, 900_000);
  afterAll(() => root && rmSync(root, { recursive: true, force: true }));

  it('finds the 4 phases and the untagged shard from the graph when it runs', async () => {
    const text = readFileSync(join(origin, '.github/workflows', CONTAINERS_WORKFLOW), 'utf8');
    expect(text).toContain('run: pnpm install --frozen-lockfile');
    expect(text).not.toMatch(/hamigames|npm run/i);
    const emu = {
      origin,
      jobsDir: root,
      cacheDir: join(root, 'actions-cache'),
      github: {
        repository: 'HamiGames/Lucid',
        sha: head,
        ref: 'refs/heads/main',
        ref_name: 'main',
        event_name: 'push',
        server_url: 'https://github.com',
      },
      secrets: {},
      // workflow_dispatch with force-rebuild: every container project of every phase.
      inputs: { 'force-rebuild': true },
      shas: { base, head },
      trivyBin: root,
      path: [join(root, 'npm-global', 'bin')],
      envOverride: { NX_TUI: 'false', NPM_CONFIG_PREFIX: join(root, 'npm-global'), NPM_CONFIG_PREFER_OFFLINE: 'true' },
      validateSarif: () => 'not used',
      record: [],
    };
    const plan = await runJob(emu, parse(text) as Workflow, 'plan');
    const shards = JSON.parse(plan.outputs.matrix).include as Array<{ phase: number | string; projects: string }>;
    expect(shards.map((s) => s.phase)).toEqual([1, 2, 3, 4, 'untagged']);
    expect(shards[0].projects.split(',').sort()).toEqual([
      'auth-service',
      'elasticsearch',
      'mongodb',
      'redis',
      'storage-database',
    ]);
    const all = shards.flatMap((s) => s.projects.split(','));
    expect(shards.slice(0, 4).flatMap((s) => s.projects.split(',')).length).toBe(29);
    expect(all.length).toBeGreaterThanOrEqual(140);
  }, 900_000);
});
