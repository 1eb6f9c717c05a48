import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess, RunResult } from '../../src/boundary/process';
import { WORKSPACE_ROOT } from './workspace';

/** The pnpm the emulated-CI workspaces declare and install with. */
export const PNPM = '10.34.9';

/**
 * Writes the package.json of a pnpm workspace that adopts the plugin from its packed tarball (nx linked from this
 * repository), and the one local package pnpm installs through its store: with link: deps only pnpm writes no
 * node_modules/.modules.yaml, and Nx's pnpm lockfile reader needs that file.
 */
export function writePnpmAdopter(dir: string, name: string, tarball: string): void {
  const pkg = {
    name,
    private: true,
    packageManager: `pnpm@${PNPM}`,
    devDependencies: {
      '@lucid/nx-lucid': `file:${tarball}`,
      nx: `link:${join(WORKSPACE_ROOT, 'node_modules/nx')}`,
      'local-marker': 'file:./tools/local-marker',
    },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  mkdirSync(join(dir, 'tools/local-marker'), { recursive: true });
  writeFileSync(
    join(dir, 'tools/local-marker/package.json'),
    JSON.stringify({ name: 'local-marker', version: '1.0.0' }),
  );
}

/** `pnpm install` in `dir` with the declared pnpm; never throws on a non-zero exit. */
export function pnpmInstall(dir: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  return runProcess('npx', ['--yes', `pnpm@${PNPM}`, 'install'], { cwd: dir, env, allowFailure: true });
}
