#!/usr/bin/env node
// Moves files of tools/nx-lucid/src from the old folder map (25 folders on four axes) to the one-axis map of
// docs/ARCHITECTURE.md and rewrites every relative path that pointed at a moved file. Re-runnable: a branch that
// added files under an old folder runs it after merging main (files already moved by git are resolved through the
// inverse map). Usage: node tools/nx-lucid/scripts/relayout.js [--dry-run]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const pkg = path.resolve(__dirname, '..');
const repo = path.resolve(pkg, '../..');
const dryRun = process.argv.includes('--dry-run');

// Old folder (relative to src/) -> new folder; `files` narrows an entry to the files whose name matches (first match
// wins, so file-level entries come before their folder's entry).
const MOVES = [
  { from: 'registry/', files: /^(push|preflight|tag-phase)[^/]*$/, to: 'push/' },
  { from: 'oci/', files: /^blob-source[^/]*$/, to: 'registry/' },
  { from: 'package/', files: /^bin-command[^/]*$/, to: 'graph/' },
  { from: 'nx/package/', files: /^bin-command[^/]*$/, to: 'graph/' },
  { from: 'plugin/', to: 'graph/' },
  { from: 'cache/', to: 'graph/' },
  { from: 'affected/', to: 'graph/affected/' },
  { from: 'adopt/', to: 'graph/adopt/' },
  { from: 'image-build/', to: 'build/' },
  { from: 'engines/', to: 'build/engines/' },
  { from: 'executors/', to: 'nx/executors/' },
  { from: 'generators/', to: 'nx/generators/' },
  { from: 'package/', to: 'nx/package/' },
  { from: 'new-service/', to: 'nx/generators/service/' },
  { from: 'metadata/', to: 'artifacts/' },
  { from: 'secrets/', to: 'boundary/' },
  { from: 'concurrency/', to: 'boundary/' },
];
const SRC_ROOTS = [path.join(pkg, 'src'), path.join(pkg, 'dist', 'src')];

/** The new place of an absolute path under src/ (or dist/src/), or the path itself. */
function mapPath(abs) {
  for (const root of SRC_ROOTS) {
    if (!abs.startsWith(root + path.sep)) continue;
    const rel = abs
      .slice(root.length + 1)
      .split(path.sep)
      .join('/');
    for (const move of MOVES) {
      if (!rel.startsWith(move.from)) continue;
      const rest = rel.slice(move.from.length);
      if (move.files && !move.files.test(rest)) continue;
      return path.join(root, move.to + rest);
    }
  }
  return abs;
}

/** Every old place a path under a new folder may have come from (for files git already moved). */
function inversePaths(abs) {
  const out = [];
  for (const root of SRC_ROOTS) {
    if (!abs.startsWith(root + path.sep)) continue;
    const rel = abs
      .slice(root.length + 1)
      .split(path.sep)
      .join('/');
    for (const move of MOVES) {
      if (!rel.startsWith(move.to)) continue;
      const rest = rel.slice(move.to.length);
      if (move.files && !move.files.test(rest)) continue;
      out.push(path.join(root, move.from + rest));
    }
  }
  return out;
}

const EXTENSIONS = ['', '.ts', '.js', '.json', '/index.ts', '/index.js'];
function existsAsModule(abs) {
  const srcEquivalent = abs.includes(`${path.sep}dist${path.sep}src${path.sep}`)
    ? abs.replace(`${path.sep}dist${path.sep}src${path.sep}`, `${path.sep}src${path.sep}`)
    : abs;
  return EXTENSIONS.some((ext) => fs.existsSync(srcEquivalent + ext));
}

function listFiles(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', '.nx', '.lucid', 'tmp'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) listFiles(full, out);
    else out.push(full);
  }
  return out;
}

// 1. Move.
const moved = new Map(); // new -> old
for (const file of listFiles(path.join(pkg, 'src'))) {
  const target = mapPath(file);
  if (target === file) continue;
  if (fs.existsSync(target)) throw new Error(`relayout: ${path.relative(repo, target)} exists; cannot move ${file}`);
  moved.set(target, file);
  console.log(`move ${path.relative(repo, file)} -> ${path.relative(repo, target)}`);
  if (dryRun) continue;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tracked = spawnOk('git', ['ls-files', '--error-unmatch', file]);
  if (tracked) execFileSync('git', ['mv', file, target], { cwd: repo });
  else fs.renameSync(file, target);
}
if (!dryRun) removeEmptyDirs(path.join(pkg, 'src'));

function spawnOk(cmd, args) {
  try {
    execFileSync(cmd, args, { cwd: repo, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
function removeEmptyDirs(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) removeEmptyDirs(path.join(dir, entry.name));
  }
  if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
}

// 2. Rewrite relative path literals ('./x', '../x') in code and JSON that named a moved module.
// Only module specifiers (import/export from, require, import(), jest.mock) in code; every relative string in JSON
// manifests. Other relative strings (path arithmetic) are left for the type check and the specs to catch.
const CODE_LITERAL =
  /((?:\bfrom\s*|\b(?:require|import|jest\.mock|jest\.requireActual)\(\s*)(['"]))(\.\.?\/[^'"\s$]*)\2/g;
const JSON_LITERAL = /(()(["]))(\.\.?\/[^"\s$]*)\3/g;
const scanRoots = [path.join(repo, 'tools'), path.join(repo, 'scripts')];
let rewritten = 0;
for (const root of scanRoots) {
  for (const file of listFiles(root)) {
    if (!/\.(ts|js|mjs|cjs|json)$/.test(file) || file.includes(`${path.sep}__fixtures__${path.sep}`)) continue;
    const oldFile = moved.get(file) ?? file;
    const oldDirs = [path.dirname(oldFile), ...inversePaths(file).map((p) => path.dirname(p))];
    const text = fs.readFileSync(file, 'utf8');
    const next = file.endsWith('.json')
      ? text.replace(JSON_LITERAL, (whole, _lead, _none, quote, spec) => {
          const newSpec = rewriteSpec(spec, file, oldDirs);
          return newSpec === spec ? whole : `${quote}${newSpec}${quote}`;
        })
      : text.replace(CODE_LITERAL, (whole, lead, quote, spec) => {
          const newSpec = rewriteSpec(spec, file, oldDirs);
          return newSpec === spec ? whole : `${lead}${newSpec}${quote}`;
        });
    if (next !== text) {
      rewritten++;
      console.log(`rewrite ${path.relative(repo, file)}`);
      if (!dryRun) fs.writeFileSync(file, next);
    }
  }
}
console.log(`relayout: ${moved.size} files moved, ${rewritten} files rewritten${dryRun ? ' (dry run)' : ''}`);

function rewriteSpec(spec, file, oldDirs) {
  for (const [index, oldDir] of oldDirs.entries()) {
    const target = path.resolve(oldDir, spec);
    const mapped = mapPath(target);
    if (!existsAsModule(mapped) && !fs.existsSync(mapped)) continue;
    // The file's own folder resolves it and nothing moved: leave it.
    if (index === 0 && mapped === target && oldDir === path.dirname(file)) return spec;
    let rel = path.relative(path.dirname(file), mapped).split(path.sep).join('/');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return rel + (spec.endsWith('/') && !rel.endsWith('/') ? '/' : '');
  }
  return spec;
}
