#!/usr/bin/env node
/*
 * Writes node_modules/@lucid/nx-lucid: a forwarding package through which this workspace's Nx finds its own
 * plugin, executors and generators as an installed package. Why: Nx treats a plugin it resolves through
 * tsconfig paths (or a symlink into the workspace) as local, and then, on every command, builds the project
 * list once more with a second set of plugin workers to find it, registers a TypeScript transpiler in every
 * executor process and runs the executors from their sources: about 2.5 s per command here. Each forwarder
 * loads the module from the workspace Nx runs in (so a copy of the workspace uses its own copy of the plugin):
 * compiled when tools/nx-lucid/dist is fresh, else the source (src/fresh-module.js). Schemas are read from
 * the sources beside the node_modules the forwarder sits in.
 * scripts/ensure-deps.sh runs it; idempotent. Usage: node tools/nx-lucid/scripts/link-workspace.js [workspaceRoot]
 */
'use strict';
const { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const PACKAGE_ROOT = join(__dirname, '..');
const MARKER = 'lucid-workspace-forwarder';

/** `./dist/src/executors/push/batch` → `executors/push/batch`. */
function moduleOf(path) {
  const rel = path.replace(/^\.\/dist\/src\//, '');
  if (rel === path) throw new Error(`link-workspace: ${path} is not under ./dist/src/`);
  return rel.replace(/\.js$/, '');
}

function forwarder(rel) {
  return [
    "'use strict';",
    '// Written by tools/nx-lucid/scripts/link-workspace.js: this module of the workspace Nx runs in.',
    "const { existsSync } = require('node:fs');",
    "const { join } = require('node:path');",
    "const { workspaceRoot } = require('nx/src/utils/workspace-root');",
    "const loader = join(workspaceRoot, 'tools/nx-lucid/src/fresh-module.js');",
    'if (!existsSync(loader)) {',
    '  throw new Error(`@lucid/nx-lucid: ${loader} not found: node_modules/@lucid/nx-lucid forwards to a workspace that holds tools/nx-lucid`);',
    '}',
    `module.exports = require(loader).loadFreshOrSource('${rel}');`,
    '',
  ].join('\n');
}

/** Every file of the forwarding package, by path relative to it. */
function forwardingPackage() {
  const files = {};
  const sourceSchema = (schema) => `../../../tools/nx-lucid/src/${schema.replace(/^\.\/dist\/src\//, '')}`;
  const collection = (file, key, fields) => {
    const json = JSON.parse(readFileSync(join(PACKAGE_ROOT, file), 'utf8'));
    for (const entry of Object.values(json[key])) {
      for (const field of fields) {
        if (!entry[field]) continue;
        const rel = moduleOf(entry[field]);
        files[`forward/${rel}.js`] = forwarder(rel);
        entry[field] = `./forward/${rel}.js`;
      }
      entry.schema = sourceSchema(entry.schema);
    }
    files[file] = `${JSON.stringify(json, null, 2)}\n`;
  };
  collection('executors.json', 'executors', ['implementation', 'batchImplementation']);
  collection('generators.json', 'generators', ['factory']);
  const own = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8'));
  files['package.json'] = `${JSON.stringify(
    {
      name: own.name,
      version: own.version,
      private: true,
      description: `${MARKER}: this workspace's tools/nx-lucid (see scripts/link-workspace.js there)`,
      main: './forward/index.js',
      executors: './executors.json',
      generators: './generators.json',
    },
    null,
    2,
  )}\n`;
  files['forward/index.js'] = forwarder('index');
  return files;
}

function link(workspaceRoot) {
  const target = join(workspaceRoot, 'node_modules', '@lucid', 'nx-lucid');
  if (existsSync(target) || isLink(target)) {
    const ours =
      !isLink(target) &&
      existsSync(join(target, 'package.json')) &&
      readFileSync(join(target, 'package.json'), 'utf8').includes(MARKER);
    if (!ours) {
      console.log(`link-workspace: ${target} is not a forwarder written here; left as it is`);
      return;
    }
  }
  const files = forwardingPackage();
  const same =
    existsSync(target) &&
    Object.entries(files).every(
      ([f, text]) => existsSync(join(target, f)) && readFileSync(join(target, f), 'utf8') === text,
    );
  if (same) return;
  rmSync(target, { recursive: true, force: true });
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(target, f)), { recursive: true });
    writeFileSync(join(target, f), text);
  }
  console.log(`link-workspace: ${target} forwards to this workspace's tools/nx-lucid`);
}

function isLink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * node_modules/.bin/lucid: this workspace's `lucid` CLI, as an install gives a user's workspace (npm links a
 * package's bin only when it installs it, and the forwarder is not installed): the compiled CLI when dist/ is
 * fresh, else the TypeScript source through @swc-node/register.
 */
function binShim() {
  return [
    '#!/usr/bin/env node',
    "'use strict';",
    "// Written by tools/nx-lucid/scripts/link-workspace.js (lucid-workspace-forwarder): the workspace's lucid CLI.",
    "const { join } = require('node:path');",
    "const plugin = join(__dirname, '..', '..', 'tools', 'nx-lucid');",
    "const fresh = require(join(plugin, 'src', 'fresh-module.js')).distIsFresh();",
    "if (!fresh) require('@swc-node/register');",
    "const cli = require(fresh ? join(plugin, 'dist', 'bin', 'lucid.js') : join(plugin, 'bin', 'lucid.ts'));",
    'cli.main(process.argv.slice(2)).then(',
    '  (code) => process.exit(code),',
    '  (e) => {',
    '    process.stderr.write(`lucid: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\\n`);',
    '    process.exit(1);',
    '  },',
    ');',
    '',
  ].join('\n');
}

function linkBin(workspaceRoot) {
  const bin = join(workspaceRoot, 'node_modules', '.bin', 'lucid');
  const text = binShim();
  // Another package's `lucid` (npm links bins) or a file we did not write stays as it is.
  if (isLink(bin) || (existsSync(bin) && !readFileSync(bin, 'utf8').includes(MARKER))) return;
  if (existsSync(bin) && readFileSync(bin, 'utf8') === text) return;
  rmSync(bin, { force: true });
  mkdirSync(dirname(bin), { recursive: true });
  writeFileSync(bin, text, { mode: 0o755 });
}

if (require.main === module) {
  const root = process.argv[2] ?? join(PACKAGE_ROOT, '../..');
  link(root);
  linkBin(root);
}

module.exports = { forwardingPackage, link, linkBin, binShim };
