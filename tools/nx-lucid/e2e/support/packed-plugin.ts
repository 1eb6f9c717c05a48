/**
 * The plugin as another workspace gets it: `npm pack` of tools/nx-lucid (compiled JavaScript; prepack builds dist/
 * when stale), and the Nx version this repository runs, for installing beside it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../../src/boundary/process';
import { WORKSPACE_ROOT } from './workspace';

export const PLUGIN_DIR = join(WORKSPACE_ROOT, 'tools/nx-lucid');
const HANG_GUARD = 600_000;

/** The nx version this repository is developed on (root package.json): the plugin's peer range admits others. */
export const WORKSPACE_NX_VERSION = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8'))
  .devDependencies.nx as string;

/** Packs the plugin into `destination`; returns the tarball's path. */
export async function packPlugin(destination: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const packed = await runProcess('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: PLUGIN_DIR,
    env,
    timeoutMs: HANG_GUARD,
  });
  const [{ filename }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string }>;
  return join(destination, filename);
}
