/**
 * The plugin code that decides image content, as Nx inputs of container-build: the source files the build
 * executor reaches through its imports (labels, engine arguments, layout assembly, …) and the npm packages they
 * import. Scan-, push- or release-only code is not reached, so changing it rebuilds nothing; and only these
 * packages are hashed instead of Nx's default of every external dependency, so an unrelated lockfile change
 * rebuilds nothing either.
 */
import { builtinModules } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

export const PLUGIN_PACKAGE = '@lucid/nx-lucid';
/** Where the build starts, relative to the plugin's package root (source or compiled). */
const BUILD_ENTRY = ['src/nx/executors/build/executor.ts', 'src/nx/executors/build/executor.js'];
const BUILTINS = new Set(builtinModules);

export interface ImportClosure {
  /** Absolute paths of the plugin's own files the entry reaches, sorted. */
  files: string[];
  /** npm packages those files import at run time, sorted. */
  packages: string[];
}

/** Module specifiers imported at run time; `import type` and `export type` are erased and do not count. */
export function runtimeImports(source: string): string[] {
  const out: string[] = [];
  const fromClause = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(fromClause)) if (!m[2]) out.push(m[4]);
  for (const m of source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) out.push(m[1]);
  for (const m of source.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]);
  return out;
}

/** `zod` → zod, `@nx/devkit/internal` → @nx/devkit; undefined for relative paths and Node built-ins. */
export function packageName(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return BUILTINS.has(name) ? undefined : name;
}

function resolveRelative(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.js`, join(base, 'index.ts'), join(base, 'index.js')]) {
    if (/\.(ts|js)$/.test(candidate) && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The registry protocol decides no image content: every blob or manifest it brings the build (the base's layers) is
 * checked against a digest the build already names, so its code is not a build input (a change to it rebuilds
 * nothing, as a change to push-only code does not).
 */
const CONTENT_NEUTRAL = /[\\/]src[\\/]registry[\\/]/;

/** Follows relative imports from `entry`; fails on an import it cannot resolve (a missing input would be a wrong key). */
export function importClosure(
  entry: string,
  read: (file: string) => string = (f) => readFileSync(f, 'utf8'),
): ImportClosure {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of runtimeImports(read(file))) {
      if (specifier.startsWith('.')) {
        const target = resolveRelative(file, specifier);
        if (!target)
          throw new Error(`${file}: cannot resolve import "${specifier}" while collecting the build's inputs`);
        if (!CONTENT_NEUTRAL.test(target)) queue.push(target);
      } else {
        const name = packageName(specifier);
        if (name) packages.add(name);
      }
    }
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}

export type BuildCodeInput = string | { externalDependencies: string[] };

/**
 * Inputs for a plugin at `pluginRoot`. Inside the workspace (this repository, a throwaway test workspace), its
 * files are workspace files and Nx hashes their content. Installed (node_modules, or outside the workspace), Nx
 * does not see its files, so the package itself is the input: Nx hashes its locked version and integrity.
 */
export function buildCodeInputsFor(
  workspaceRoot: string,
  pluginRoot: string,
  closure: ImportClosure,
  installed: boolean,
): BuildCodeInput[] {
  if (installed) return [{ externalDependencies: [PLUGIN_PACKAGE] }];
  const files = closure.files.map((f) => `{workspaceRoot}/${relative(workspaceRoot, f).split(sep).join('/')}`);
  return [...files, ...(closure.packages.length ? [{ externalDependencies: closure.packages }] : [])];
}

/** True when Nx cannot hash the plugin's files as workspace files. */
export function isInstalled(workspaceRoot: string, pluginRoot: string): boolean {
  const rel = relative(workspaceRoot, pluginRoot);
  return rel.startsWith('..') || resolve(rel) === rel || rel.split(sep).includes('node_modules');
}

const memo = new Map<string, BuildCodeInput[]>();

/**
 * The package root whose files are the inputs: for the compiled plugin running beside its sources (this workspace:
 * `<package>/dist`, built from exactly those sources or not used), the sources, since dist/ is git-ignored and Nx
 * hashes no ignored file; the same inputs whichever copy Nx loaded.
 */
function inputRoot(pluginRoot: string): string {
  const packageRoot = dirname(pluginRoot);
  return basename(pluginRoot) === 'dist' && existsSync(join(packageRoot, BUILD_ENTRY[0])) ? packageRoot : pluginRoot;
}

/** The inputs for this plugin copy; the import walk runs once per process and workspace. */
export function buildCodeInputs(
  workspaceRoot: string,
  compiledOrSourceRoot = resolve(__dirname, '../..'),
): BuildCodeInput[] {
  const pluginRoot = inputRoot(compiledOrSourceRoot);
  const key = `${workspaceRoot}\0${pluginRoot}`;
  const known = memo.get(key);
  if (known) return known;
  const entry = BUILD_ENTRY.map((e) => join(pluginRoot, e)).find((e) => existsSync(e));
  if (!entry)
    throw new Error(
      `${pluginRoot}: no build executor (${BUILD_ENTRY.join(' or ')}) to collect the build's inputs from`,
    );
  // Installed, the package is the input: its import closure (~60 files read) is not needed.
  const installed = isInstalled(workspaceRoot, pluginRoot);
  const closure = installed ? { files: [], packages: [] } : importClosure(entry);
  const inputs = buildCodeInputsFor(workspaceRoot, pluginRoot, closure, installed);
  memo.set(key, inputs);
  return inputs;
}
