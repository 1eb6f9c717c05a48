/**
 * `nx show projects` on the real Lucid tree (../shared/fixtures/lucid), cold, without the plugin and with the
 * compiled plugin installed as a package and registered by `nx g @lucid/nx-lucid:init` as a new user would.
 * The tree is extracted into a temporary folder and removed afterwards; it never enters this repository.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildPlugin,
  installCompiledPlugin,
  linkNodeModules,
  loadAverage,
  median,
  round,
  showProjects,
  WORKSPACE_ROOT,
} from './graph-bench';

export const LUCID_TREE = join(WORKSPACE_ROOT, '..', 'shared', 'fixtures', 'lucid', 'lucid-29c889df.tar.gz');

export interface TreeRow {
  medianMs?: number;
  runsMs?: number[];
  /** User+system CPU of Nx and its plugin workers, ms (see graph-bench.ts). */
  medianCpuMs?: number;
  runsCpuMs?: number[];
  projects?: number;
  /** Why nx failed, when it did (the first lines of its message). */
  error?: string;
}

export interface LucidTreeResult {
  none: TreeRow;
  lucid: TreeRow;
  /** Warm: each run right after an identical one, .nx/workspace-data kept (Nx's and our plugin caches). */
  noneWarm: TreeRow;
  lucidWarm: TreeRow;
  nxDocker: TreeRow;
  /** What `nx g @lucid/nx-lucid:init` printed (or why it failed). */
  init: string;
  lucidVsNone?: number;
  nxDockerVsNone?: number;
  /** Ours warm vs no plugin warm (target ≈ 1.0). */
  lucidWarmVsNoneWarm?: number;
  /** The same ratios by CPU time (targets: cold ≤ 1.5, warm ≈ 1.0). */
  cpu: { lucidVsNone?: number; nxDockerVsNone?: number; lucidWarmVsNoneWarm?: number };
}

const ratio = (a?: number, b?: number) => (a && b ? round(a / b) : undefined);
const summary = (row: TreeRow) =>
  row.error ??
  `wall median ${row.medianMs} ms (${row.runsMs?.join(', ')}), CPU median ${row.medianCpuMs} ms (${row.runsCpuMs?.join(', ')}), ${row.projects} projects, load ${loadAverage()}`;

function measure(root: string, runs: number, warm = false): TreeRow {
  try {
    showProjects(root, {}, warm); // warm-up: file system caches, not measured
    const results = Array.from({ length: runs }, () => showProjects(root, {}, warm));
    const ms = results.map((r) => r.ms);
    const cpu = results.map((r) => r.cpuMs);
    return {
      medianMs: round(median(ms), 0),
      runsMs: ms.map((x) => round(x, 0)),
      medianCpuMs: round(median(cpu), 0),
      runsCpuMs: cpu.map((x) => round(x, 0)),
      projects: results[0].projects,
    };
  } catch (e) {
    return { error: (e instanceof Error ? e.message : String(e)).split('\n').slice(0, 4).join(' | ') };
  }
}

export function measureLucidTree(runs = 3, log: (line: string) => void = () => undefined): LucidTreeResult {
  if (!existsSync(LUCID_TREE)) throw new Error(`the Lucid tree fixture is missing: ${LUCID_TREE}`);
  buildPlugin();
  const root = mkdtempSync(join(tmpdir(), 'lucid-tree-'));
  try {
    const untar = spawnSync('tar', ['-xzf', LUCID_TREE, '-C', root], { stdio: 'inherit' });
    if (untar.status !== 0) throw new Error('extracting the Lucid tree failed');
    if (!existsSync(join(root, 'package.json')))
      writeFileSync(join(root, 'package.json'), '{ "name": "lucid-tree", "private": true }\n');
    writeFileSync(join(root, 'nx.json'), '{}\n'); // what a minimal `nx init` leaves
    linkNodeModules(root);
    installCompiledPlugin(root, true);
    const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true' };
    const init = spawnSync(join(root, 'node_modules/.bin/nx'), ['g', '@lucid/nx-lucid:init', '--no-interactive'], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    const initText = `exit ${init.status}: ${`${init.stdout}${init.stderr}`.trim().split('\n').slice(-6).join(' | ')}`;
    log(`Lucid tree: nx g @lucid/nx-lucid:init → ${initText}`);
    const adopted = readFileSync(join(root, 'nx.json'), 'utf8');

    const withPlugins = (plugins: unknown[]) =>
      writeFileSync(join(root, 'nx.json'), JSON.stringify({ ...JSON.parse(adopted), plugins }, null, 2));
    withPlugins([]);
    const none = measure(root, runs);
    log(`Lucid tree, none: ${summary(none)}`);
    const noneWarm = measure(root, runs, true);
    log(`Lucid tree, none, warm: ${summary(noneWarm)}`);
    writeFileSync(join(root, 'nx.json'), adopted);
    const lucid = measure(root, runs);
    log(`Lucid tree, lucid (compiled): ${summary(lucid)}`);
    const lucidWarm = measure(root, runs, true);
    log(`Lucid tree, lucid (compiled), warm: ${summary(lucidWarm)}`);
    withPlugins(['@nx/docker']);
    const nxDocker = measure(root, runs);
    log(`Lucid tree, @nx/docker: ${summary(nxDocker)}`);
    writeFileSync(join(root, 'nx.json'), adopted);
    return {
      none,
      lucid,
      noneWarm,
      lucidWarm,
      nxDocker,
      init: initText,
      lucidVsNone: ratio(lucid.medianMs, none.medianMs),
      nxDockerVsNone: ratio(nxDocker.medianMs, none.medianMs),
      lucidWarmVsNoneWarm: ratio(lucidWarm.medianMs, noneWarm.medianMs),
      cpu: {
        lucidVsNone: ratio(lucid.medianCpuMs, none.medianCpuMs),
        nxDockerVsNone: ratio(nxDocker.medianCpuMs, none.medianCpuMs),
        lucidWarmVsNoneWarm: ratio(lucidWarm.medianCpuMs, noneWarm.medianCpuMs),
      },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  console.log(
    JSON.stringify(
      measureLucidTree(undefined, (l) => console.log(l)),
      null,
      2,
    ),
  );
}
