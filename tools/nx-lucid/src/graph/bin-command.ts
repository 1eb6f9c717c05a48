import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';

export const PACKAGE_NAME = '@lucid/nx-lucid';

let ownRoot: string | undefined;

/**
 * The plugin's own package folder: the nearest one above `from` whose package.json is @lucid/nx-lucid
 * (tools/nx-lucid from source or from its dist/, node_modules/@lucid/nx-lucid when installed).
 */
export function pluginPackageRoot(from: string = __dirname): string {
  if (from === __dirname && ownRoot) return ownRoot;
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === PACKAGE_NAME) {
      if (from === __dirname) ownRoot = dir;
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`${PACKAGE_NAME}: no package.json named ${PACKAGE_NAME} above ${from}`);
  }
}

const posixPath = (p: string) => p.split(sep).join('/');
const scriptPaths = new Map<string, string>();

/**
 * The command line of a runtime input that runs one of the plugin's bin/ scripts. Nx runs it from the workspace
 * root and the command string is part of the hash, so the path is workspace-relative and the same on every
 * machine: `node node_modules/@lucid/nx-lucid/bin/<script>` installed, `node tools/nx-lucid/bin/<script>` from
 * source. A package outside the workspace (a symlinked node_modules) is reached through the workspace's
 * node_modules/@lucid/nx-lucid when that exists, else by its absolute path (then the hash is machine-specific).
 */
export function binCommand(
  script: string,
  args: string[] = [],
  // Lazily: createNodes passes its root, and the graph hooks then load no @nx/devkit.
  workspaceRoot: string = (require('@nx/devkit') as typeof import('@nx/devkit')).workspaceRoot,
  packageRoot: string = pluginPackageRoot(),
): string {
  // Asked twice per inferred project: the relative path is worked out once per script.
  const key = `${workspaceRoot}\0${packageRoot}\0${script}`;
  let path = scriptPaths.get(key) ?? posixPath(relative(workspaceRoot, join(packageRoot, 'bin', script)));
  scriptPaths.set(key, path);
  if (path.startsWith('../') || isAbsolute(path)) {
    const linked = `node_modules/${PACKAGE_NAME}/bin/${script}`;
    path = existsSync(join(workspaceRoot, linked)) ? linked : posixPath(join(packageRoot, 'bin', script));
  }
  return ['node', path, ...args].join(' ');
}

/** The runtime-input commands createNodes gives every project, worked out once per round instead of per project. */
export interface PluginScripts {
  baseDigest(baseRef: string): string;
  trivyDbKey: string;
}

export function pluginScripts(workspaceRoot?: string): PluginScripts {
  const baseDigest = binCommand('base-digest.js', [], workspaceRoot);
  return { baseDigest: (ref) => `${baseDigest} ${ref}`, trivyDbKey: binCommand('trivy-db-key.js', [], workspaceRoot) };
}
