#!/usr/bin/env node
/*
 * Compiles the plugin into dist/ (CommonJS + .d.ts, tsconfig.lib.json), copies the files it reads at run time
 * (schema.json, generator templates) beside the compiled modules, and stamps dist/ with the hash of what it
 * was built from (src/source-hash.js). `npm run build:plugin` (root) and `npm pack` (prepack) run it.
 * Usage: node tools/nx-lucid/scripts/build.js [--if-stale]
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { PACKAGE_ROOT, buildInputs, isAsset, sourceHash } = require('../src/source-hash');

const dist = join(PACKAGE_ROOT, 'dist');
const stamp = join(dist, 'source-hash.txt');
const hash = sourceHash();
if (process.argv.includes('--if-stale') && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash) {
  process.exit(0);
}

rmSync(dist, { recursive: true, force: true });
const tsc = require.resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(PACKAGE_ROOT, 'tsconfig.lib.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  rmSync(dist, { recursive: true, force: true });
  console.error('build: tsc failed; dist/ removed');
  process.exit(r.status ?? 1);
}
for (const rel of buildInputs()) {
  if (!rel.startsWith('src/') || !isAsset(rel.slice(4))) continue;
  mkdirSync(dirname(join(dist, rel)), { recursive: true });
  cpSync(join(PACKAGE_ROOT, rel), join(dist, rel));
}
const cli = join(dist, 'bin', 'lucid.js');
writeFileSync(cli, `#!/usr/bin/env node\n${readFileSync(cli, 'utf8')}`);
chmodSync(cli, 0o755);
// Last: a build that failed half-way has no stamp, and the workspace then loads the sources.
writeFileSync(stamp, `${hash}\n`);
console.log(`build: ${dist} (sources ${hash.slice(0, 12)})`);
