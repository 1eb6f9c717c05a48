/**
 * Build benchmark: `nx run-many -t container-build` over every service of the workspace (a throwaway copy),
 * cold (empty Nx cache, real buildah builds) then warm (all from the Nx cache), and the bytes each service's
 * cached outputs take (oci/ + metadata.json). The distroless base is replaced by the small test base pushed
 * to a local registry under the gcr.io mirror path, so the bench needs no network.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pushTestBase } from '../nx-lucid/e2e/support/base-image';
import { startRegistry } from '../nx-lucid/e2e/support/registry';
import { createWorkspace } from '../nx-lucid/e2e/support/workspace';
import { timedBuild } from './timed-build';

export interface BuildBenchResult {
  services: number;
  parallel: number;
  coldSeconds: number;
  warmSeconds: number;
  /** cold / warm. */
  ratio: number;
  cacheBytes: Record<string, number>;
  totalCacheBytes: number;
  /** buildah engine seconds per service in the cold run (build + push into the layout, from the build log). */
  coldEngineSeconds: Record<string, number>;
  /** Median of coldEngineSeconds: the base is imported by the first builds only (shared store). */
  medianEngineSeconds: number;
  /** One service rebuilt alone after the cold run (base present), through Nx: wall and CPU of the whole tree. */
  oneService: Timed;
  /** The floor on the same store: a trivial `FROM scratch` + COPY two-platform buildah build and its push. */
  floor: Timed;
  loadAverage: number[];
}

export interface Timed {
  wallSeconds: number;
  cpuSeconds: number;
}

/** buildah seconds per service: its `buildah build` and `manifest push` steps as the build executor logs them. */
export function buildahSecondsPerService(output: string): Record<string, number> {
  // Per service and step (a log printed twice counts once): the build, then the push into the layout.
  const steps: Record<string, Record<string, number>> = {};
  const line = /\[([a-z0-9-]+)\] buildah (build \S+(?: \+ \S+)*|manifest push → OCI layout) done in ([0-9.]+)s/g;
  for (const m of output.matchAll(line)) steps[m[1]] = { ...steps[m[1]], [m[2]]: Number(m[3]) };
  return Object.fromEntries(
    Object.entries(steps).map(([svc, s]) => [
      svc,
      Number(
        Object.values(s)
          .reduce((a, b) => a + b, 0)
          .toFixed(2),
      ),
    ]),
  );
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

/** CPU seconds of this process's waited-for children and their descendants (/proc/self/stat cutime + cstime). */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // USER_HZ is 100 on Linux
}

/** Runs commands one after another; their wall time and the CPU time of everything they started. */
function timed(commands: Array<[string, string[]]>, cwd: string, env: NodeJS.ProcessEnv = process.env): Timed {
  const cpu = childCpuSeconds();
  const started = process.hrtime.bigint();
  for (const [cmd, args] of commands) {
    const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr?.slice(-2000)}`);
  }
  return {
    wallSeconds: Number((Number(process.hrtime.bigint() - started) / 1e9).toFixed(2)),
    cpuSeconds: Number((childCpuSeconds() - cpu).toFixed(2)),
  };
}

/** The floor: the least a two-platform buildah build into an OCI layout costs on the workspace's shared store. */
function floorBuild(root: string): Timed {
  const store = join(root, '.lucid/buildah');
  const storage = ['--root', join(store, 'root'), '--runroot', join(store, 'runroot'), '--storage-driver', 'overlay'];
  const dir = join(root, 'tmp/floor');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY f /f\n');
  writeFileSync(join(dir, 'f'), 'floor\n');
  const list = `lucid-floor-${process.pid}`;
  const build = ['build', '--isolation', 'chroot', '--platform', 'linux/amd64,linux/arm64', '--manifest', list];
  const t = timed(
    [
      ['buildah', [...storage, ...build, '--timestamp', '0', '-f', join(dir, 'Dockerfile'), dir]],
      ['buildah', [...storage, 'manifest', 'push', '--all', '--format', 'oci', list, `oci:${join(dir, 'oci')}:floor`]],
    ],
    root,
  );
  spawnSync('buildah', [...storage, 'manifest', 'rm', list]);
  return t;
}

function bytesUnder(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, e) => n + bytesUnder(join(path, e)), 0);
}

export async function benchBuild(
  opts: { parallel?: number; log?: (line: string) => void } = {},
): Promise<BuildBenchResult> {
  const parallel = opts.parallel ?? 2;
  const log = opts.log ?? (() => undefined);
  const registry = await startRegistry();
  const ws = await createWorkspace({ apps: 'all', libs: 'all' });
  try {
    await pushTestBase(registry.host, 'mirror/gcr.io/distroless/python3-debian12', 'nonroot');
    const env = {
      NX_SKIP_NX_CACHE: 'false',
      LUCID_ENGINE: 'buildah',
      LUCID_REGISTRY_MIRRORS: `gcr.io=${registry.host}/mirror/gcr.io`,
      LUCID_INSECURE_REGISTRIES: registry.host,
    };
    const run = async (label: string) => {
      const r = await timedBuild(ws, env, parallel, label);
      log(`${label}: ${r.seconds.toFixed(1)}s`);
      output = r.output;
      return r.seconds;
    };
    let output = '';
    const coldSeconds = await run('cold');
    const coldEngineSeconds = buildahSecondsPerService(output);
    const warmSeconds = await run('warm');
    // After the cold run the base is in the shared store: one service again, then the floor, side by side.
    const one = Object.keys(coldEngineSeconds).sort()[0];
    const nxBin = join(__dirname, '../../node_modules/.bin/nx');
    const oneService = timed(
      [[nxBin, ['run', `${one}:container-build`, '--skip-nx-cache', '--outputStyle=static']]],
      ws.root,
      {
        ...process.env,
        ...env,
        NX_DAEMON: 'false',
        NX_NO_CLOUD: 'true',
      },
    );
    const floor = floorBuild(ws.root);
    log(
      `one service (${one}) after the base: ${oneService.wallSeconds}s wall, ${oneService.cpuSeconds}s CPU; floor ${floor.wallSeconds}s wall, ${floor.cpuSeconds}s CPU`,
    );
    const dist = join(ws.root, 'dist/containers');
    const cacheBytes: Record<string, number> = {};
    for (const service of readdirSync(dist).sort())
      cacheBytes[service] = bytesUnder(join(dist, service, 'oci')) + bytesUnder(join(dist, service, 'metadata.json'));
    const totalCacheBytes = Object.values(cacheBytes).reduce((a, b) => a + b, 0);
    return {
      services: Object.keys(cacheBytes).length,
      parallel,
      coldSeconds: Number(coldSeconds.toFixed(2)),
      warmSeconds: Number(warmSeconds.toFixed(2)),
      ratio: Number((coldSeconds / warmSeconds).toFixed(1)),
      cacheBytes,
      totalCacheBytes,
      coldEngineSeconds,
      medianEngineSeconds: Number(median(Object.values(coldEngineSeconds)).toFixed(2)),
      oneService,
      floor,
      loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
    };
  } finally {
    ws.dispose();
    await registry.stop();
  }
}

if (require.main === module) {
  benchBuild({ log: (l) => console.log(`  ${l}`) })
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
