/**
 * `npm run bench -- verify`: container-verify of every built service, cold (Nx cache skipped), in Nx batch mode
 * (one process for all tasks: the default) beside one process per task (`--batch=false`, how it ran before),
 * interleaved, with the CPU of every Node process beside the wall time. Needs the build outputs of a prior
 * `npm start` (dist/containers/<service>/ and the blob store); the floor is one plain Nx start.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadAverage, median, round } from './graph-bench';

const WORKSPACE_ROOT = join(__dirname, '../..');

interface Run {
  seconds: number;
  cpuSeconds: number;
}

/**
 * One Nx command, its wall time and the CPU of its whole process tree (GNU time counts every descendant Nx waited
 * for, batch workers included, which a preload cannot: Nx ends them with a signal).
 */
function nx(args: string[]): Run {
  const tmp = join(WORKSPACE_ROOT, 'tmp');
  const cpuFile = join(tmp, '.bench-verify-cpu');
  const outFile = join(tmp, '.bench-verify-out');
  const fd = openSync(outFile, 'w');
  const start = process.hrtime.bigint();
  const r = spawnSync(
    '/usr/bin/time',
    ['-o', cpuFile, '-f', '%U %S', join(WORKSPACE_ROOT, 'node_modules/.bin/nx'), ...args],
    {
      cwd: WORKSPACE_ROOT,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    },
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  closeSync(fd);
  if (r.status !== 0) throw new Error(`nx ${args.join(' ')} failed:\n${readFileSync(outFile, 'utf8').slice(-3000)}`);
  const [user, system] = readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
  return { seconds, cpuSeconds: user + system };
}

export interface VerifyBench {
  services: number;
  load: string;
  batch: Run;
  perTask: Run;
  nxStart: Run;
  batchVsPerTask: number;
}

export function benchVerify(runs = 3, log: (line: string) => void = console.log): VerifyBench {
  const built = readdirSync(join(WORKSPACE_ROOT, 'dist/containers')).filter((s) =>
    existsSync(join(WORKSPACE_ROOT, 'dist/containers', s, 'metadata.json')),
  );
  if (built.length === 0) throw new Error('verify bench: no build outputs in dist/containers; run `npm start` first');
  mkdirSync(join(WORKSPACE_ROOT, 'tmp'), { recursive: true });
  const projects = `--projects=${built.join(',')}`;
  const common = ['run-many', '-t', 'container-verify', projects, '--skip-nx-cache', '--exclude-task-dependencies'];
  const samples: Record<'batch' | 'perTask' | 'nxStart', Run[]> = { batch: [], perTask: [], nxStart: [] };
  for (let i = 0; i < runs; i++) {
    samples.batch.push(nx(common));
    samples.perTask.push(nx([...common, '--batch=false']));
    samples.nxStart.push(nx(['show', 'projects', '--projects=auth-service']));
    log(
      `run ${i + 1}/${runs}: batch ${round(samples.batch[i].seconds)}s, per task ${round(samples.perTask[i].seconds)}s`,
    );
  }
  const pick = (xs: Run[]): Run => ({
    seconds: round(median(xs.map((x) => x.seconds))),
    cpuSeconds: round(median(xs.map((x) => x.cpuSeconds))),
  });
  const batch = pick(samples.batch);
  const perTask = pick(samples.perTask);
  return {
    services: built.length,
    load: loadAverage(),
    batch,
    perTask,
    nxStart: pick(samples.nxStart),
    batchVsPerTask: round(batch.seconds / perTask.seconds),
  };
}
