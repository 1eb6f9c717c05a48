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

/**
 * dist/fresh/executors/<name>.js for each executor module in executors.json. Nx runs a local plugin's executors
 * from its TypeScript sources (3-4 s of transpiling per process) unless package.json's exports resolve them under
 * the "development" condition; they resolve here, and each shim loads the compiled module when dist/ is fresh,
 * else the source (src/fresh-module.js). Installed (no src/), a shim is the compiled module.
 */
function writeExecutorShims() {
  const { executors } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'executors.json'), 'utf8'));
  const modules = new Set();
  for (const e of Object.values(executors))
    for (const m of [e.implementation, e.batchImplementation]) if (m) modules.add(m);
  for (const m of modules) {
    const rel = m.replace(/^\.\/dist\/src\//, '');
    if (rel === m || !rel.startsWith('executors/'))
      throw new Error(`build: executors.json names ${m}, not ./dist/src/executors/…`);
    const file = join(dist, 'fresh', `${rel}.js`);
    const up = '../'.repeat(rel.split('/').length + 1);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      file,
      [
        "'use strict';",
        '// Written by scripts/build.js (see writeExecutorShims there).',
        "const { existsSync } = require('node:fs');",
        "const { join } = require('node:path');",
        `const root = join(__dirname, '${up}');`,
        "const loader = join(root, 'src', 'fresh-module.js');",
        `module.exports = existsSync(loader) ? require(loader).loadFreshOrSource('${rel}') : require(join(root, 'dist', 'src', '${rel}.js'));`,
        '',
      ].join('\n'),
    );
  }
}
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
writeExecutorShims();
// Last: a build that failed half-way has no stamp, and the workspace then loads the sources.
writeFileSync(stamp, `${hash}\n`);
console.log(`build: ${dist} (sources ${hash.slice(0, 12)})`);
