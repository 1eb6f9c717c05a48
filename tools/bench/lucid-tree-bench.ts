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
  basePlugin,
  buildPlugin,
  installCompiledPlugin,
  linkNodeModules,
  loadAverage,
  median,
  round,
  showProjects,
  WORKSPACE_ROOT,
} from './graph-bench';
import type { ShowProjectsRun } from './graph-bench';

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
  /** 1-, 5- and 15-minute load averages after each round of runs. */
  loadAverages?: string[];
}

export interface LucidTreeResult {
  none: TreeRow;
  lucid: TreeRow;
  /** Warm: each run right after an identical one, .nx/workspace-data kept (Nx's and our plugin caches). */
  noneWarm: TreeRow;
  lucidWarm: TreeRow;
  nxDocker: TreeRow;
  /** The base build (LUCID_BENCH_BASE_PLUGIN), cold and warm, when set: the before of a before/after. */
  lucidBase?: TreeRow;
  lucidBaseWarm?: TreeRow;
  /** What `nx g @lucid/nx-lucid:init` printed (or why it failed). */
  init: string;
  lucidVsNone?: number;
  nxDockerVsNone?: number;
  /** Ours warm vs no plugin warm (target ≈ 1.0). */
  lucidWarmVsNoneWarm?: number;
  /** The same ratios by CPU time (targets: cold ≤ 1.5, warm ≈ 1.0). */
  cpu: {
    lucidVsNone?: number;
    nxDockerVsNone?: number;
    lucidWarmVsNoneWarm?: number;
    baseVsNone?: number;
    baseWarmVsNoneWarm?: number;
  };
  /** The base build's ratios by wall time (undefined when not run). */
  baseVsNone?: number;
  baseWarmVsNoneWarm?: number;
}

const ratio = (a?: number, b?: number) => (a && b ? round(a / b) : undefined);
const summary = (row: TreeRow) =>
  row.error ??
  `wall median ${row.medianMs} ms (${row.runsMs?.join(', ')}), CPU median ${row.medianCpuMs} ms (${row.runsCpuMs?.join(', ')}), ${row.projects} projects, load ${row.loadAverages?.join(' | ')}`;

type TreeVariant = 'none' | 'none-warm' | 'lucid' | 'lucid-warm' | 'nx-docker' | 'lucid-base' | 'lucid-base-warm';

/**
 * Every variant's runs, round-robin (run i of each before run i+1 of any) so a load change on the shared machine
 * hits all alike; `select` sets nx.json and the installed plugin for a variant.
 */
function measureInterleaved(
  root: string,
  variants: TreeVariant[],
  runs: number,
  select: (variant: TreeVariant) => void,
): Map<TreeVariant, TreeRow> {
  const results = new Map<TreeVariant, ShowProjectsRun[]>(variants.map((v) => [v, []]));
  const errors = new Map<TreeVariant, string>();
  const attempt = (variant: TreeVariant) => {
    if (errors.has(variant)) return undefined;
    select(variant);
    try {
      return showProjects(root, {}, variant.endsWith('-warm'));
    } catch (e) {
      errors.set(variant, (e instanceof Error ? e.message : String(e)).split('\n').slice(0, 4).join(' | '));
      return undefined;
    }
  };
  for (const variant of variants) attempt(variant); // warm-up: file system caches, not measured
  const loads: string[] = [];
  for (let i = 0; i < runs; i++) {
    for (const variant of variants) {
      const run = attempt(variant);
      if (run) results.get(variant)!.push(run);
    }
    loads.push(loadAverage());
  }
  return new Map(
    variants.map((variant): [TreeVariant, TreeRow] => {
      const error = errors.get(variant);
      if (error) return [variant, { error }];
      const rs = results.get(variant)!;
      const ms = rs.map((r) => r.ms);
      const cpu = rs.map((r) => r.cpuMs);
      return [
        variant,
        {
          medianMs: round(median(ms), 0),
          runsMs: ms.map((x) => round(x, 0)),
          medianCpuMs: round(median(cpu), 0),
          runsCpuMs: cpu.map((x) => round(x, 0)),
          projects: rs[0].projects,
          loadAverages: loads,
        },
      ];
    }),
  );
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
    const base = basePlugin();
    const variants: TreeVariant[] = [
      'none',
      'none-warm',
      'lucid',
      'lucid-warm',
      ...(base ? (['lucid-base', 'lucid-base-warm'] as const) : []),
      'nx-docker',
    ];
    const rows = measureInterleaved(root, variants, runs, (variant) => {
      if (variant === 'none' || variant === 'none-warm') withPlugins([]);
      else if (variant === 'nx-docker') withPlugins(['@nx/docker']);
      else writeFileSync(join(root, 'nx.json'), adopted);
      installCompiledPlugin(root, variant.startsWith('lucid-base') ? base : true);
    });
    const row = (v: TreeVariant) => rows.get(v)!;
    const labels: Record<TreeVariant, string> = {
      none: 'none',
      'none-warm': 'none, warm',
      lucid: 'lucid (compiled)',
      'lucid-warm': 'lucid (compiled), warm',
      'lucid-base': `lucid base (${base})`,
      'lucid-base-warm': 'lucid base, warm',
      'nx-docker': '@nx/docker',
    };
    for (const v of variants) log(`Lucid tree, ${labels[v]}: ${summary(row(v))}`);
    writeFileSync(join(root, 'nx.json'), adopted);
    const [none, noneWarm, lucid, lucidWarm, nxDocker] = (
      ['none', 'none-warm', 'lucid', 'lucid-warm', 'nx-docker'] as const
    ).map(row);
    const lucidBase = rows.get('lucid-base');
    const lucidBaseWarm = rows.get('lucid-base-warm');
    return {
      none,
      lucid,
      noneWarm,
      lucidWarm,
      nxDocker,
      lucidBase,
      lucidBaseWarm,
      init: initText,
      lucidVsNone: ratio(lucid.medianMs, none.medianMs),
      nxDockerVsNone: ratio(nxDocker.medianMs, none.medianMs),
      lucidWarmVsNoneWarm: ratio(lucidWarm.medianMs, noneWarm.medianMs),
      baseVsNone: ratio(lucidBase?.medianMs, none.medianMs),
      baseWarmVsNoneWarm: ratio(lucidBaseWarm?.medianMs, noneWarm.medianMs),
      cpu: {
        lucidVsNone: ratio(lucid.medianCpuMs, none.medianCpuMs),
        nxDockerVsNone: ratio(nxDocker.medianCpuMs, none.medianCpuMs),
        lucidWarmVsNoneWarm: ratio(lucidWarm.medianCpuMs, noneWarm.medianCpuMs),
        baseVsNone: ratio(lucidBase?.medianCpuMs, none.medianCpuMs),
        baseWarmVsNoneWarm: ratio(lucidBaseWarm?.medianCpuMs, noneWarm.medianCpuMs),
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
