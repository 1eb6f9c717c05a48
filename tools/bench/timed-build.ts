/** One timed `nx run-many -t container-build` of a bench workspace; a failed run keeps its whole log. */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { createWorkspace } from '../nx-lucid/e2e/support/workspace';

type BenchWorkspace = Awaited<ReturnType<typeof createWorkspace>>;

export async function timedBuild(
  ws: BenchWorkspace,
  env: NodeJS.ProcessEnv,
  parallel: number,
  label: string,
): Promise<{ seconds: number; output: string }> {
  const started = process.hrtime.bigint();
  const r = await ws.nx(['run-many', '-t', 'container-build', `--parallel=${parallel}`, '--outputStyle=static'], env);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.exitCode !== 0) {
    // Keep the whole log: the failing task's lines are rarely in the last few KB of a parallel run.
    const logFile = join(tmpdir(), `lucid-bench-${label.replace(/\W+/g, '-')}.log`);
    writeFileSync(logFile, `${r.stdout}\n${r.stderr}`);
    throw new Error(`${label} run failed (full log: ${logFile}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
  }
  return { seconds, output: r.stdout + r.stderr };
}
