/*
 * A module of the plugin, as this workspace's own Nx processes load it: compiled (dist/) when dist/ was built from
 * exactly the current sources (the hash stamped in dist/source-hash.txt), else the TypeScript source through Nx's
 * transpiler, with a warning when dist/ exists but is stale. A stale build is never used. The plugin entry
 * (workspace-entry.js) and the executor shims scripts/build.js writes to dist/fresh/ load through it.
 */
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { PACKAGE_ROOT, sourceHash } = require('./source-hash');

const STAMP = join(PACKAGE_ROOT, 'dist', 'source-hash.txt');

let fresh;
/** Checked once per process: hashing the sources costs a few milliseconds, and they do not change mid-command. */
function distIsFresh() {
  if (fresh !== undefined) return fresh;
  if (process.env.LUCID_PLUGIN_FROM_SOURCE === '1' || !existsSync(STAMP)) return (fresh = false);
  fresh = readFileSync(STAMP, 'utf8').trim() === sourceHash();
  if (!fresh) {
    console.warn(
      '@lucid/nx-lucid: tools/nx-lucid/dist is stale (sources changed since it was built); loading the plugin from source. `npm run build:plugin` rebuilds it.',
    );
  }
  return fresh;
}

let registered = false;
/** `rel` is a module path under src/ without extension, e.g. "index" or "executors/push/batch". */
function loadFreshOrSource(rel) {
  if (distIsFresh()) return require(join(PACKAGE_ROOT, 'dist', 'src', `${rel}.js`));
  if (!registered) {
    const { workspaceRoot } = require('@nx/devkit');
    // Stays registered: the plugin's modules are required as Nx calls into them, not only now.
    require('nx/src/devkit-internals').registerTsProject(join(workspaceRoot, 'tsconfig.base.json'));
    registered = true;
  }
  return require(join(PACKAGE_ROOT, 'src', `${rel}.ts`));
}

module.exports = { distIsFresh, loadFreshOrSource };
