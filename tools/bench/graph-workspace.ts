/**
 * The bench workspaces of the graph bench: N generated services shaped like ours, node_modules linked to this
 * repository's, the compiled plugin installed or not, a trivial plugin beside it, and nx.json per variant.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PLUGIN_GLOB } from '../nx-lucid/src/graph/dockerfile-files';
import { normalizePluginOptions } from '../nx-lucid/src/config/options';
import { RELEASE_PUBLISH_TARGET } from '../nx-lucid/src/graph/release-publish-target';

export const WORKSPACE_ROOT = resolve(__dirname, '../..');

export type Variant =
  | 'none'
  | 'lucid'
  | 'lucid-source'
  | 'nx-docker'
  | 'trivial'
  | 'six-targets'
  /** Warm: the plugins' caches in .nx/workspace-data kept from the run before (nothing changed since). */
  | 'none-warm'
  | 'lucid-warm'
  /** Another compiled build of the plugin (LUCID_BENCH_BASE_PLUGIN, e.g. main's), for a before/after in one run. */
  | 'lucid-base'
  | 'lucid-base-warm';

/**
 * The plugin package folder (with its dist/ built) of the `lucid-base` variants: LUCID_BENCH_BASE_PLUGIN, e.g. a
 * copy of main's tools/nx-lucid inside a checkout whose node_modules resolves its dependencies.
 */
export const basePlugin = (): string | undefined => process.env.LUCID_BENCH_BASE_PLUGIN || undefined;

/** The plugin package a variant installs as node_modules/@lucid/nx-lucid, or undefined for none. */
export function pluginFor(variant: Variant): string | undefined {
  if (variant === 'lucid' || variant === 'lucid-warm') return join(WORKSPACE_ROOT, 'tools/nx-lucid');
  if (variant === 'lucid-base' || variant === 'lucid-base-warm') {
    const base = basePlugin();
    if (!base) throw new Error(`${variant}: set LUCID_BENCH_BASE_PLUGIN to a built plugin package folder`);
    return resolve(base);
  }
  return undefined;
}

/** A warm variant keeps .nx/workspace-data between runs; the others start without it. */
export const isWarm = (variant: Variant) => variant.endsWith('-warm');

/** The trivial plugin's package name in a bench workspace's node_modules. */
export const TRIVIAL_PLUGIN = 'lucid-bench-trivial-plugin';

/** The six-targets plugin's package name in a bench workspace's node_modules. */
export const SIX_TARGETS_PLUGIN = 'lucid-bench-six-targets-plugin';

/** The compiled plugin, current with its sources (a no-op when it is). */
export function buildPlugin(): void {
  const r = spawnSync(process.execPath, [join(WORKSPACE_ROOT, 'tools/nx-lucid/scripts/build.js'), '--if-stale'], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('building the plugin failed');
}

/**
 * node_modules for a bench workspace: a link per package of ours, so @lucid/nx-lucid can be added as an
 * installed package (pointing at tools/nx-lucid, whose package.json main is the compiled dist/) or left out.
 */
export function linkNodeModules(root: string): void {
  const dir = join(root, 'node_modules');
  mkdirSync(dir);
  for (const entry of readdirSync(join(WORKSPACE_ROOT, 'node_modules'))) {
    symlinkSync(join(WORKSPACE_ROOT, 'node_modules', entry), join(dir, entry));
  }
}

/** Installs the compiled plugin (`true`: this checkout's; a path: that package folder) or removes it. */
export function installCompiledPlugin(root: string, installed: boolean | string | undefined): void {
  const link = join(root, 'node_modules/@lucid/nx-lucid');
  rmSync(join(root, 'node_modules/@lucid'), { recursive: true, force: true });
  if (!installed) return;
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(installed === true ? join(WORKSPACE_ROOT, 'tools/nx-lucid') : installed, link, 'dir');
}

/**
 * A plugin that costs only what any plugin costs: Nx globs for it (the same glob as ours) and runs it in its own
 * worker, and it infers nothing. Written into the bench workspace's node_modules as a package.
 */
export function writeTrivialPlugin(root: string): void {
  writeBenchPlugin(root, TRIVIAL_PLUGIN, [`exports.createNodes = [${JSON.stringify(PLUGIN_GLOB)}, () => []];`]);
}

/** A plugin package in the bench workspace's node_modules: `index.js` is its name export and then `lines`. */
function writeBenchPlugin(root: string, name: string, lines: string[]): void {
  const dir = join(root, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '0.0.0', main: 'index.js' }));
  writeFileSync(join(dir, 'index.js'), [`exports.name = ${JSON.stringify(name)};`, ...lines, ''].join('\n'));
}

/**
 * What Nx itself charges for our target set: a plugin that reads nothing and, for every `Dockerfile`, infers a
 * project named after its folder with our six target names, each only `{ executor }` (no options, inputs,
 * outputs or dependsOn, no createDependencies). No plugin that infers these targets can cost less.
 */
export function writeSixTargetsPlugin(root: string): void {
  const names = normalizePluginOptions({}).targetNames;
  const targets = Object.fromEntries(
    [
      [names.build, 'build'],
      [names.scan, 'scan'],
      [names.verify, 'verify'],
      [names.push, 'push'],
      [names.release, 'release'],
      [RELEASE_PUBLISH_TARGET, 'release-publish'],
    ].map(([target, executor]) => [target, { executor: `@lucid/nx-lucid:${executor}` }]),
  );
  writeBenchPlugin(root, SIX_TARGETS_PLUGIN, [
    `const { basename, dirname } = require('node:path');`,
    `const targets = ${JSON.stringify(targets)};`,
    `exports.createNodes = [${JSON.stringify(PLUGIN_GLOB)}, (files) => files`,
    `  .filter((f) => basename(f) === 'Dockerfile')`,
    `  .map((f) => [f, { projects: { [dirname(f)]: { name: basename(dirname(f)), root: dirname(f), targets } } }])];`,
  ]);
}

function write(root: string, file: string, content: string) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), content);
}

/** A workspace of `count` Python services shaped like ours: Dockerfile + ignore file + project.json + src. */
export function generateWorkspace(count: number): string {
  const root = mkdtempSync(join(tmpdir(), `lucid-bench-${count}-`));
  for (const file of ['tsconfig.base.json', 'package.json']) cpSync(join(WORKSPACE_ROOT, file), join(root, file));
  linkNodeModules(root);
  writeTrivialPlugin(root);
  writeSixTargetsPlugin(root);
  cpSync(join(WORKSPACE_ROOT, 'tools/nx-lucid/src'), join(root, 'tools/nx-lucid/src'), { recursive: true });
  for (const f of ['package.json', 'project.json', 'executors.json', 'generators.json']) {
    cpSync(join(WORKSPACE_ROOT, 'tools/nx-lucid', f), join(root, 'tools/nx-lucid', f));
  }
  write(root, 'libs/common/project.json', '{"name":"common"}');
  write(root, 'libs/common/src/common/__init__.py', '');
  for (let i = 0; i < count; i++) {
    const name = `svc-${String(i).padStart(4, '0')}`;
    const dir = `apps/${name}`;
    write(root, `${dir}/project.json`, JSON.stringify({ name, tags: [`phase:${(i % 4) + 1}`] }));
    write(
      root,
      `${dir}/Dockerfile`,
      [
        'ARG BASE_IMAGE=gcr.io/distroless/python3-debian12:nonroot',
        'FROM scratch AS assemble',
        'COPY libs/common/src/ /app/lib/',
        `COPY ${dir}/src/ /app/service/`,
        'FROM ${BASE_IMAGE}',
        'COPY --from=assemble --chown=65532:65532 /app /app',
        'USER 65532:65532',
        'ENTRYPOINT ["python3", "/app/service/main.py"]',
        '',
      ].join('\n'),
    );
    write(root, `${dir}/Dockerfile.dockerignore`, '**/*.md\n**/tests\n');
    write(root, `${dir}/src/main.py`, 'print("ok")\n');
  }
  return root;
}

export function nxJson(variant: Variant) {
  const real = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'nx.json'), 'utf8'));
  const lucid = real.plugins.find((p: { plugin?: string }) => p.plugin === '@lucid/nx-lucid');
  const plugins: Record<Variant, unknown[]> = {
    none: [],
    'nx-docker': ['@nx/docker'],
    trivial: [TRIVIAL_PLUGIN],
    'six-targets': [SIX_TARGETS_PLUGIN],
    lucid: [lucid],
    'lucid-source': [lucid],
    'none-warm': [],
    'lucid-warm': [lucid],
    'lucid-base': [lucid],
    'lucid-base-warm': [lucid],
  };
  return JSON.stringify({ ...real, plugins: plugins[variant] }, null, 2);
}
