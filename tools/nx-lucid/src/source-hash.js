/*
 * What the compiled plugin (dist/) is built from, as one hash: every source file tsconfig.lib.json compiles, every
 * asset the build copies (schema.json, generator templates), and the build's own configuration. Plain JS: the
 * workspace entry (src/workspace-entry.js) checks it on every Nx command before trusting dist/, so a stale
 * compiled plugin is never used.
 */
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join, relative, sep } = require('node:path');

const PACKAGE_ROOT = join(__dirname, '..');

/** Test-only code under src/ that the package never ships (the same list as tsconfig.lib.json's exclude). */
const TEST_ONLY = /(\.spec\.ts$|(^|\/)(testing|__fixtures__)\/|(^|\/)test-support\.ts$)/;

/** Whether a file under src/ goes into dist/: compiled TypeScript or a copied asset. */
function isBuildInput(rel) {
  if (TEST_ONLY.test(rel)) return false;
  if (rel.endsWith('.ts') && !rel.endsWith('.d.ts')) return true;
  return isAsset(rel);
}

/** Files the build copies as they are: executor/generator schemas and generator templates. */
function isAsset(rel) {
  return rel.endsWith('/schema.json') || /^nx\/generators\/[^/]+\/files\//.test(rel);
}

function walk(dir, base, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, base, out);
    else out.push(relative(base, path).split(sep).join('/'));
  }
  return out;
}

/** Workspace-independent list of build inputs, relative to the package root. */
function buildInputs(root = PACKAGE_ROOT) {
  const src = walk(join(root, 'src'), join(root, 'src'), [])
    .filter(isBuildInput)
    .map((rel) => `src/${rel}`);
  return [...src, 'bin/lucid.ts', 'tsconfig.lib.json', '../../tsconfig.base.json'].sort();
}

function sourceHash(root = PACKAGE_ROOT) {
  const hash = createHash('sha256');
  for (const rel of buildInputs(root)) {
    const path = join(root, rel);
    hash.update(`${rel}\0`);
    hash.update(existsSync(path) ? readFileSync(path) : 'missing');
    hash.update('\0');
  }
  return hash.digest('hex');
}

module.exports = { PACKAGE_ROOT, isAsset, isBuildInput, buildInputs, sourceHash, TEST_ONLY };
