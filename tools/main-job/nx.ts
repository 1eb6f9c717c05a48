import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatCommand } from '../nx-lucid/src/boundary/process';
import type { NxTaskResult } from './summary';

/** Nx's cache directory (per user in Nx 23, or NX_CACHE_DIRECTORY), where it writes run.json after each run. */
function nxCacheDir(workspaceRoot: string): string {
  // Resolved at call time: Nx computes it from the workspace root and env.

  const mod = require(require.resolve('nx/src/utils/cache-directory', { paths: [workspaceRoot] })) as {
    cacheDir: string;
  };
  return mod.cacheDir;
}

export interface NxRun {
  exitCode: number;
  tasks: NxTaskResult[];
  seconds: number;
}

/**
 * Runs nx with its output streamed (static style: one block per task, so the per-service progress
 * shows as it happens), then reads the per-task cache status and exit code from Nx's run.json.
 */
export async function runNx(workspaceRoot: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<NxRun> {
  const nx = join(workspaceRoot, 'node_modules', '.bin', 'nx');
  if (!existsSync(nx)) throw new Error(`${nx} not found: run npm ci (scripts/ensure-deps.sh does it)`);
  const started = Date.now();
  console.log(`\n$ ${formatCommand('nx', args)}`);
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn(nx, args, { cwd: workspaceRoot, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  const runFile = join(nxCacheDir(workspaceRoot), 'run.json');
  let tasks: NxTaskResult[] = [];
  if (existsSync(runFile)) {
    const run = JSON.parse(readFileSync(runFile, 'utf8')) as { run: { startTime: string }; tasks: NxTaskResult[] };
    // Only trust it if this invocation wrote it (a failed graph computation writes none).
    if (Date.parse(run.run.startTime) >= started - 1000) tasks = run.tasks;
  }
  return { exitCode, tasks, seconds: (Date.now() - started) / 1000 };
}

/** Nx's stored terminal output of a task (by hash), without colours, last lines only. */
export function terminalOutput(workspaceRoot: string, hash: string, lines = 12): string {
  const file = join(nxCacheDir(workspaceRoot), 'terminalOutputs', hash);
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8')
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() && !/^Pass --verbose/.test(l))
    .slice(-lines)
    .join('\n');
}
