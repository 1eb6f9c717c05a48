import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../src/boundary/process';
import { createWorkspace, NX_ENV, ThrowawayWorkspace } from './support/workspace';

/**
 * Affected on a throwaway git repository holding the whole workspace (29 services, 3 libs), over real
 * commits. Nx's own `--affected` and our Dockerfile-aware `lucid affected` are both checked.
 */
const TRON = [
  'tron-client',
  'tron-payment-gateway',
  'tron-payout-router',
  'tron-staking',
  'tron-usdt-manager',
  'tron-wallet-manager',
];

let ws: ThrowawayWorkspace;
const rev: Record<string, string> = {};

const append = (file: string, text: string) => ws.write(file, readFileSync(join(ws.root, file), 'utf8') + text);

beforeAll(async () => {
  ws = await createWorkspace({ apps: 'all', libs: 'all' });
  rev.initial = await ws.git(['rev-parse', 'HEAD']);
  // 1: a TRON library source change.
  append('libs/tron-common/src/tron_common/__init__.py', '\n# touched by the affected test\n');
  rev.libSrc = await ws.commit('lib src');
  // 2: files no Dockerfile reads: READMEs, tests, a .md that the ignore file drops even inside src/.
  append('apps/redis/README.md', '\nMore words.\n');
  ws.write('apps/redis/tests/test_extra.py', 'import unittest\n');
  append('libs/lucid-common/README.md', '\nMore words.\n');
  ws.write('apps/auth-service/src/NOTES.md', 'not shipped\n');
  rev.unread = await ws.commit('docs and tests');
  // 3: one service's Dockerfile.
  append('apps/redis/Dockerfile', '\n# a comment that changes the Dockerfile\n');
  rev.dockerfile = await ws.commit('redis Dockerfile');
});
afterAll(() => ws?.dispose());

async function nxAffected(base: string, head: string): Promise<string[]> {
  const r = await ws.nx(['show', 'projects', '--affected', `--base=${base}`, `--head=${head}`]);
  expect(r.exitCode).toBe(0);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();
}

async function lucid(args: string[]) {
  return runProcess('node', ['-r', '@swc-node/register', 'tools/nx-lucid/bin/lucid.ts', 'affected', ...args], {
    cwd: ws.root,
    env: { ...process.env, ...NX_ENV },
    allowFailure: true,
  });
}

async function lucidAffected(base: string, head: string, extra: string[] = []): Promise<string[]> {
  const r = await lucid([`--base=${base}`, ...(head ? [`--head=${head}`] : []), '--json', ...extra]);
  expect(r.stderr).not.toMatch(/lucid:/);
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout).affected.map((a: { name: string }) => a.name);
}

describe("Nx's own affected, with the Dockerfile dependencies of the plugin", () => {
  it('a lib src change: exactly the lib and the 6 TRON services', async () => {
    expect(await nxAffected(rev.initial, rev.libSrc)).toEqual(['tron-common', ...TRON].sort());
  });
  it("one service's Dockerfile: only that service", async () => {
    expect(await nxAffected(rev.unread, rev.dockerfile)).toEqual(['redis']);
  });
  it('is file-based, not input-based: a README in a lib every service COPYs marks all 29 services', async () => {
    const affected = await nxAffected(rev.libSrc, rev.unread);
    expect(affected).toEqual(expect.arrayContaining(['lucid-common', 'redis', 'auth-service', ...TRON]));
    expect(affected).toHaveLength(30);
  });
});

describe('lucid affected (Dockerfile-aware)', () => {
  it('a lib src change: exactly the services whose Dockerfile COPYs it', async () => {
    expect(await lucidAffected(rev.initial, rev.libSrc)).toEqual(TRON);
  });
  it('READMEs, tests and .dockerignored files: nothing, and says so with exit 0', async () => {
    expect(await lucidAffected(rev.libSrc, rev.unread)).toEqual([]);
    const r = await lucid([`--base=${rev.libSrc}`, `--head=${rev.unread}`, '-t', 'container-build']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^No container project is affected by .*\(4 changed file\(s\)\)/);
  });
  it("one service's Dockerfile: only that service", async () => {
    expect(await lucidAffected(rev.unread, rev.dockerfile)).toEqual(['redis']);
  });
  it('ranges over several commits, by sha or by ref', async () => {
    expect(await lucidAffected(rev.initial, rev.dockerfile)).toEqual(['redis', ...TRON].sort());
    expect(await lucidAffected(rev.libSrc, rev.dockerfile)).toEqual(['redis']);
    expect(await lucidAffected('HEAD~3', 'HEAD~1')).toEqual(TRON);
  });
  it('--projects filters with Nx patterns (tags)', async () => {
    expect(await lucidAffected(rev.initial, rev.dockerfile, ['--projects=tag:phase:1'])).toEqual(['redis']);
    expect(await lucidAffected(rev.initial, rev.dockerfile, ['--projects=tag:scope:tron,!tron-staking'])).toEqual(
      TRON.filter((t) => t !== 'tron-staking'),
    );
  });
  it('-t prints the exact run-many command with --dry-run, and runs it without', async () => {
    const dry = await lucid([
      `--base=${rev.unread}`,
      `--head=${rev.dockerfile}`,
      '-t',
      'container-build',
      'scan',
      '--dry-run',
    ]);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout.trim()).toBe('[dry-run] would run: npx nx run-many -t container-build scan --projects=redis');
    // The build executor is not this test's business: what matters is that nx ran it for redis alone.
    const run = await lucid([`--base=${rev.unread}`, `--head=${rev.dockerfile}`, '-t', 'container-build']);
    expect(run.stdout).toContain('Affected by');
    expect(run.stdout + run.stderr).toMatch(/redis:container-build/);
    expect(run.stdout + run.stderr).not.toMatch(/auth-service:container-build/);
  });
  it('without --head compares the working tree, untracked files included', async () => {
    ws.write('libs/tron-common/src/tron_common/new_module.py', 'X = 1\n');
    try {
      expect(await lucidAffected('HEAD', '', [])).toEqual(TRON);
    } finally {
      ws.remove('libs/tron-common/src/tron_common/new_module.py');
    }
  });
  it('a bad revision is a clear error with a non-zero exit', async () => {
    const r = await lucid(['--base=no-such-rev', '--head=HEAD']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('lucid: "no-such-rev" is not a commit');
  });
});
