/**
 * lucid:isolation through real Nx: a throwaway workspace with the plugin (each image judged by the files its
 * Dockerfile reads and the images it FROMs, each violation with its Dockerfile lines), the root project.json's real
 * rules, and planted violations; then the real workspace. (The Lucid tree's case: e2e/lucid-repo.spec.ts.)
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runProcess } from '../src/boundary/process';

const MAIN = join(__dirname, '..', '..', '..');
const NX = join(MAIN, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
const ENV = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  FORCE_COLOR: '0',
  NX_TASKS_RUNNER_DYNAMIC_OUTPUT: 'false',
};

let ws: string;

function write(path: string, content: string): void {
  mkdirSync(dirname(join(ws, path)), { recursive: true });
  writeFileSync(join(ws, path), content);
}

function project(root: string, tags: string[], dockerfile?: string): void {
  const name = root.split('/').pop()!;
  write(`${root}/project.json`, JSON.stringify({ name, root, tags }, null, 2));
  write(`${root}/src/main.py`, `# ${name}\n`);
  if (dockerfile) write(`${root}/Dockerfile`, dockerfile);
}

const service = (name: string, libs: string[], from = 'gcr.io/distroless/python3-debian12:nonroot') =>
  [
    `FROM ${from}`,
    ...libs.map((l) => `COPY libs/${l}/src/ /app/lib/`),
    `COPY apps/${name}/src/ /app/service/`,
    'USER 65532:65532',
    'ENTRYPOINT ["python3", "/app/service/main.py"]',
    '',
  ].join('\n');

async function isolation(cwd: string): Promise<{ exitCode: number; output: string }> {
  // Own graph cache, so this run never races other tests' Nx runs over the same workspace's .nx folder.
  const env = { ...ENV, NX_WORKSPACE_DATA_DIRECTORY: join(ws, '.nx-data', cwd === ws ? 'throwaway' : 'main') };
  const r = await runProcess('node', [NX, 'run', 'lucid:isolation', '--skip-nx-cache'], {
    cwd,
    env,
    allowFailure: true,
    timeoutMs: 120_000,
  });
  return { exitCode: r.exitCode, output: `${r.stdout}\n${r.stderr}` };
}

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'lucid-isolation-'));
  for (const f of ['nx.json', 'tsconfig.base.json', 'package.json', 'project.json'])
    copyFileSync(join(MAIN, f), join(ws, f));
  symlinkSync(join(MAIN, 'node_modules'), join(ws, 'node_modules'));
  for (const f of ['package.json', 'executors.json', 'generators.json', 'project.json', 'tsconfig.json']) {
    mkdirSync(join(ws, 'tools', 'nx-lucid'), { recursive: true });
    copyFileSync(join(MAIN, 'tools', 'nx-lucid', f), join(ws, 'tools', 'nx-lucid', f));
  }
  cpSync(join(MAIN, 'tools', 'nx-lucid', 'src'), join(ws, 'tools', 'nx-lucid', 'src'), { recursive: true });

  project('libs/lucid-common', ['scope:shared', 'type:lib']);
  project('libs/tron-common', ['scope:tron', 'type:lib']);
  project('libs/blockchain-common', ['scope:blockchain', 'type:lib']);
  project(
    'apps/tron-client',
    ['phase:4', 'scope:tron', 'type:service'],
    service('tron-client', ['lucid-common', 'tron-common']),
  );
  project(
    'apps/block-manager',
    ['phase:2', 'scope:blockchain', 'type:service'],
    service('block-manager', ['lucid-common', 'blockchain-common']),
  );
  // Planted: a blockchain service that copies the TRON library.
  project(
    'apps/chain-anchor',
    ['phase:2', 'scope:blockchain', 'type:service'],
    service('chain-anchor', ['blockchain-common', 'tron-common']),
  );
  // Planted: a TRON service in phase 2.
  project('apps/tron-staking', ['phase:2', 'scope:tron', 'type:service'], service('tron-staking', ['tron-common']));
  // Planted: reaches TRON only through another service's image (FROM), two hops away.
  project(
    'apps/reporting',
    ['phase:3', 'scope:admin', 'type:service'],
    service('reporting', [], 'ghcr.io/hamigames/lucid/chain-anchor:latest'),
  );
});

afterAll(() => {
  if (ws) rmSync(ws, { recursive: true, force: true });
});

describe('lucid:isolation', () => {
  it('fails the planted violations, naming the rule and the full dependency path', async () => {
    const { exitCode, output } = await isolation(ws);
    expect(exitCode).not.toBe(0);
    const lines = output.split('\n').filter((l) => l.startsWith('  - rule'));
    expect(lines).toEqual([
      '  - rule "tron-services-are-phase-4": tron-staking lacks phase:4 (its tags: phase:2, scope:tron, type:service)',
      '  - rule "only-tron-and-payment-reach-tron": chain-anchor → tron-common (tron-common is tagged scope:tron; apps/chain-anchor/Dockerfile:3: COPY libs/tron-common/src)',
      '  - rule "only-tron-and-payment-reach-tron": reporting → chain-anchor → tron-common (tron-common is tagged scope:tron; apps/reporting/Dockerfile:1: FROM ghcr.io/hamigames/lucid/chain-anchor:latest, then apps/chain-anchor/Dockerfile:3: COPY libs/tron-common/src)',
      '  - rule "blockchain-never-reaches-tron": chain-anchor → tron-common (tron-common is tagged scope:tron; apps/chain-anchor/Dockerfile:3: COPY libs/tron-common/src)',
    ]);
    expect(output).toContain('✖ isolation: 4 violation(s) of 3 rule(s) over 10 projects');
  });

  it('passes the same throwaway workspace once the violations are fixed', async () => {
    project(
      'apps/chain-anchor',
      ['phase:2', 'scope:blockchain', 'type:service'],
      service('chain-anchor', ['blockchain-common']),
    );
    project('apps/tron-staking', ['phase:4', 'scope:tron', 'type:service'], service('tron-staking', ['tron-common']));
    const { exitCode, output } = await isolation(ws);
    expect(output).toContain('✔ isolation: 3 rule(s) over 10 projects');
    expect(exitCode).toBe(0);
  });

  it('passes the real workspace', async () => {
    const { exitCode, output } = await isolation(MAIN);
    expect(output).toMatch(/✔ isolation: 3 rule\(s\) over \d+ projects and \d+ project dependencies, no violations/);
    expect(exitCode).toBe(0);
  });
});
