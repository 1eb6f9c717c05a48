/*
 * How this workspace loads its own plugin (tsconfig.base.json maps @lucid/nx-lucid here): the compiled plugin in
 * dist/ when it was built from exactly the current sources, else the TypeScript sources through Nx's transpiler
 * (3-4 s slower per Nx command), with a warning when dist/ exists but is stale. A stale build is never used.
 * Installed packages never come here: their package.json "main" is dist/src/index.js.
 */
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { PACKAGE_ROOT, sourceHash } = require('./source-hash');

const STAMP = join(PACKAGE_ROOT, 'dist', 'source-hash.txt');

function loadFromSource() {
  const { workspaceRoot } = require('@nx/devkit');
  // Stays registered: the plugin's modules are required as Nx calls into them, not only now.
  require('nx/src/devkit-internals').registerTsProject(join(workspaceRoot, 'tsconfig.base.json'));
  return require('./index.ts');
}

function load() {
  if (process.env.LUCID_PLUGIN_FROM_SOURCE === '1' || !existsSync(STAMP)) return loadFromSource();
  if (readFileSync(STAMP, 'utf8').trim() === sourceHash()) return require('../dist/src/index.js');
  console.warn(
    '@lucid/nx-lucid: tools/nx-lucid/dist is stale (sources changed since it was built); loading the plugin from source. `npm run build:plugin` rebuilds it.',
  );
  return loadFromSource();
}

module.exports = load();
