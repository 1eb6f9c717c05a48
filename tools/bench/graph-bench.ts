/**
 * Project-graph cost of the plugin: wall time of `nx show projects` in generated workspaces of N services,
 * with no plugin, with @lucid/nx-lucid compiled (installed as a package: node_modules/@lucid/nx-lucid), with
 * it loaded from its TypeScript sources (swc, as a workspace without dist/ does), with @nx/docker's plugin, and
 * with a trivial plugin (createNodes over the same glob returning nothing, no createDependencies): the floor any
 * plugin costs here (Nx starts an isolated worker process for it), measured in the same run. Each run starts cold
 * (no daemon, no graph cache, plugin caches in .nx/workspace-data removed); the variants' runs are interleaved
 * round-robin, so load drift on a shared machine does not bias one ratio; the median of a few runs is kept.
 * And with a six-targets plugin: our six target names per Dockerfile, each only an executor, reading nothing:
 * what Nx itself costs for the targets we infer (merging, normalising, sending them to the other plugins'
 * createDependencies), the floor of any plugin that infers them.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

import {
  buildPlugin,
  generateWorkspace,
  installCompiledPlugin,
  isWarm,
  nxJson,
  pluginFor,
  WORKSPACE_ROOT,
} from './graph-workspace';
import type { Variant } from './graph-workspace';

export {
  basePlugin,
  buildPlugin,
  generateWorkspace,
  installCompiledPlugin,
  isWarm,
  linkNodeModules,
  pluginFor,
  SIX_TARGETS_PLUGIN,
  TRIVIAL_PLUGIN,
  WORKSPACE_ROOT,
  writeSixTargetsPlugin,
  writeTrivialPlugin,
} from './graph-workspace';
export type { Variant } from './graph-workspace';

export interface GraphBenchRow {
  services: number;
  variant: Variant;
  /** Median wall time of `nx show projects`, milliseconds. */
  medianMs: number;
  runsMs: number[];
  /** Median user+system CPU time of every Node process of the command (Nx and its plugin workers), ms. */
  medianCpuMs: number;
  runsCpuMs: number[];
  /** Projects Nx listed (services + the shared lib + the plugin's own project). */
  projects: number;
  /** 1-, 5- and 15-minute load averages after each round of runs. */
  loadAverages: string[];
}

export interface GraphBenchResult {
  rows: GraphBenchRow[];
  /** Per size: compiled lucid / none, lucid from source / none, lucid / nx-docker median ratios. */
  ratios: Array<GraphRatios & { services: number; cpu: GraphRatios }>;
}

/** Median ratios by wall time (and, under `cpu`, by CPU time). */
export interface GraphRatios {
  lucidVsNone: number;
  lucidSourceVsNone: number;
  lucidVsNxDocker: number;
  nxDockerVsNone: number;
  /** The floor: a plugin that infers nothing, vs none (NaN when the trivial variant was not run). */
  trivialVsNone: number;
  /** What the plugin costs above that floor. */
  lucidVsTrivial: number;
  /** Nx's own cost of our six targets (executor only, no work), vs none (NaN when not run). */
  sixTargetsVsNone: number;
  /** What our targets' content and our work cost above that (target: <= 1.15 at 1000 services). */
  lucidVsSixTargets: number;
  /** Warm (our on-disk cache and Nx's own plugin caches kept, nothing changed) vs no plugin warm (NaN when not run). */
  lucidWarmVsNoneWarm: number;
  /** The base build (LUCID_BENCH_BASE_PLUGIN) the same ways (NaN when not run): the before of a before/after. */
  baseVsSixTargets: number;
  baseWarmVsNoneWarm: number;
  /** This checkout's build vs the base, cold and warm. */
  lucidVsBase: number;
  lucidWarmVsBaseWarm: number;
}

export interface ShowProjectsRun {
  ms: number;
  /** User+system CPU of the Nx process and its plugin workers (cpu-usage-preload.js), ms. */
  cpuMs: number;
  userMs: number;
  systemMs: number;
  /** Node processes that reported their CPU time. */
  processes: number;
  projects: number;
}

/**
 * One `nx show projects` without daemon or graph cache. Cold: .nx removed first (Nx's and the plugins' caches in
 * .nx/workspace-data with it). Warm: right after an unmeasured identical run, .nx kept (nothing changed since).
 */
export function showProjects(root: string, env: NodeJS.ProcessEnv = {}, warm = false): ShowProjectsRun {
  if (warm) runShowProjects(root, env);
  else rmSync(join(root, '.nx'), { recursive: true, force: true });
  return runShowProjects(root, env);
}

function runShowProjects(root: string, env: NodeJS.ProcessEnv): ShowProjectsRun {
  const cpuFile = join(root, '.bench-cpu');
  rmSync(cpuFile, { force: true });
  const preload = `-r ${JSON.stringify(join(__dirname, 'cpu-usage-preload.js'))}`;
  const start = process.hrtime.bigint();
  // Output to a file, not a pipe: nx exits right after printing, and a pipe may lose the tail of 1000 lines.
  const outFile = join(root, '.bench-out');
  const fd = openSync(outFile, 'w');
  const r = spawnSync(join(WORKSPACE_ROOT, 'node_modules/.bin/nx'), ['show', 'projects'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', fd, 'pipe'],
    env: {
      ...process.env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_CACHE_PROJECT_GRAPH: 'false',
      NX_TUI: 'false',
      ...env,
      NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' '),
      LUCID_BENCH_CPU_FILE: cpuFile,
    },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  closeSync(fd);
  const stdout = readFileSync(outFile, 'utf8');
  if (r.status !== 0) throw new Error(`nx show projects failed in ${root}:\n${r.stderr || stdout}`);
  const cpu = (existsSync(cpuFile) ? readFileSync(cpuFile, 'utf8') : '')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { userMs: number; systemMs: number });
  const userMs = cpu.reduce((a, c) => a + c.userMs, 0);
  const systemMs = cpu.reduce((a, c) => a + c.systemMs, 0);
  return {
    ms,
    cpuMs: userMs + systemMs,
    userMs,
    systemMs,
    processes: cpu.length,
    projects: stdout.split('\n').filter(Boolean).length,
  };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
/** 1-, 5- and 15-minute load averages: wall times mean little without them on a shared machine. */
export const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export function measureGraph(
  sizes: number[] = [29, 1000],
  runs = 3,
  variants: Variant[] = ['none', 'trivial', 'six-targets', 'lucid', 'lucid-source', 'nx-docker'],
  log: (line: string) => void = () => undefined,
): GraphBenchResult {
  buildPlugin();
  const rows: GraphBenchRow[] = [];
  for (const services of sizes) {
    const root = generateWorkspace(services);
    try {
      const select = (variant: Variant) => {
        writeFileSync(join(root, 'nx.json'), nxJson(variant));
        installCompiledPlugin(root, pluginFor(variant));
        if (variant === 'lucid-source' && existsSync(join(root, 'tools/nx-lucid/dist')))
          throw new Error('a bench copy has dist/');
      };
      for (const variant of variants) {
        select(variant);
        showProjects(root, {}, isWarm(variant)); // warm-up: file system caches, not measured
      }
      // Round-robin: run i of every variant before run i+1 of any, so a load change hits all variants alike.
      const results = new Map<Variant, ShowProjectsRun[]>(variants.map((v) => [v, []]));
      const loads: string[] = [];
      for (let i = 0; i < runs; i++) {
        for (const variant of variants) {
          select(variant);
          results.get(variant)!.push(showProjects(root, {}, isWarm(variant)));
        }
        loads.push(loadAverage());
      }
      for (const variant of variants) {
        const runsOf = results.get(variant)!;
        // Every variant must see every project (services + lib + the plugin's own), or the timing means nothing.
        const wrong = runsOf.find((r) => r.projects !== services + 2);
        if (wrong) throw new Error(`${variant}: nx listed ${wrong.projects} projects, expected ${services + 2}`);
        const row = {
          services,
          variant,
          runsMs: runsOf.map((r) => round(r.ms, 0)),
          medianMs: round(median(runsOf.map((r) => r.ms)), 0),
          runsCpuMs: runsOf.map((r) => round(r.cpuMs, 0)),
          medianCpuMs: round(median(runsOf.map((r) => r.cpuMs)), 0),
          projects: runsOf[0].projects,
          loadAverages: loads,
        };
        log(
          `${services} services, ${variant}: wall median ${row.medianMs} ms (${row.runsMs.join(', ')}), CPU median ${row.medianCpuMs} ms (${row.runsCpuMs.join(', ')}; ${runsOf[0].processes} processes), ${row.projects} projects, load ${loads.join(' | ')}`,
        );
        rows.push(row);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  const ratiosOf = (services: number, of: 'medianMs' | 'medianCpuMs'): GraphRatios => {
    const at = (v: Variant) => rows.find((r) => r.services === services && r.variant === v)?.[of] ?? NaN;
    return {
      lucidVsNone: round(at('lucid') / at('none')),
      lucidSourceVsNone: round(at('lucid-source') / at('none')),
      lucidVsNxDocker: round(at('lucid') / at('nx-docker')),
      nxDockerVsNone: round(at('nx-docker') / at('none')),
      trivialVsNone: round(at('trivial') / at('none')),
      lucidVsTrivial: round(at('lucid') / at('trivial')),
      sixTargetsVsNone: round(at('six-targets') / at('none')),
      lucidVsSixTargets: round(at('lucid') / at('six-targets')),
      lucidWarmVsNoneWarm: round(at('lucid-warm') / at('none-warm')),
      baseVsSixTargets: round(at('lucid-base') / at('six-targets')),
      baseWarmVsNoneWarm: round(at('lucid-base-warm') / at('none-warm')),
      lucidVsBase: round(at('lucid') / at('lucid-base')),
      lucidWarmVsBaseWarm: round(at('lucid-warm') / at('lucid-base-warm')),
    };
  };
  const ratios = sizes.map((services) => ({
    services,
    ...ratiosOf(services, 'medianMs'),
    cpu: ratiosOf(services, 'medianCpuMs'),
  }));
  return { rows, ratios };
}

if (require.main === module) {
  // node -r @swc-node/register tools/bench/graph-bench.ts [sizes, e.g. 1000] [variants, comma-separated] [runs]
  const [sizes, variants, runs] = process.argv.slice(2);
  const result = measureGraph(
    sizes ? sizes.split(',').map(Number) : undefined,
    runs ? Number(runs) : undefined,
    variants ? (variants.split(',') as Variant[]) : undefined,
    (l) => console.log(l),
  );
  console.log(JSON.stringify(result.ratios, null, 2));
}
