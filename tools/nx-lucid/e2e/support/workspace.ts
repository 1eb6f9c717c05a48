import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { runProcess, RunResult } from '../../src/boundary/process';
import { testGit } from './git';

/** The real workspace these tests copy from. */
export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');

export interface ThrowawayWorkspace {
  root: string;
  /** Writes (creating folders) a workspace-relative file. */
  write(file: string, content: string): void;
  remove(file: string): void;
  git(args: string[]): Promise<string>;
  /** Stages everything and commits; returns the commit sha. */
  commit(message: string): Promise<string>;
  /** Runs `nx <args>` in the workspace without daemon or cloud; never throws on a non-zero exit. */
  nx(args: string[], env?: NodeJS.ProcessEnv): Promise<RunResult>;
  dispose(): void;
}

export interface WorkspaceSpec {
  /** Folder names under apps/ to copy, or "all". */
  apps?: string[] | 'all';
  /** Folder names under libs/ to copy, or "all". */
  libs?: string[] | 'all';
  /** Extra files to write before the first commit. */
  files?: Record<string, string>;
  /**
   * Copy the compiled plugin (tools/nx-lucid/dist, which must be fresh) too, so Nx loads it and its executors
   * compiled, as in this workspace: for timings. Without it, the throwaway workspace runs the plugin from source.
   */
  compiledPlugin?: boolean;
}

export const NX_ENV = {
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_SKIP_NX_CACHE: 'true',
  CI: 'true',
};

const pick = (folder: string, wanted: string[] | 'all' | undefined) =>
  wanted === 'all' ? readdirSync(join(WORKSPACE_ROOT, folder)) : (wanted ?? []);

/**
 * A throwaway Nx workspace on disk: the real nx.json, tsconfig.base.json, package.json, lockfile and plugin source,
 * node_modules symlinked, the chosen apps and libs, committed to a fresh git repository.
 */
export async function createWorkspace(spec: WorkspaceSpec = {}): Promise<ThrowawayWorkspace> {
  const root = mkdtempSync(join(tmpdir(), 'lucid-ws-'));
  for (const file of ['nx.json', 'tsconfig.base.json', 'package.json', 'package-lock.json'])
    cpSync(join(WORKSPACE_ROOT, file), join(root, file));
  symlinkSync(join(WORKSPACE_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  if (spec.compiledPlugin && !require('../../src/fresh-module').distIsFresh())
    throw new Error(
      'createWorkspace({ compiledPlugin }): tools/nx-lucid/dist is missing or stale; npm run build:plugin',
    );
  const skipped = spec.compiledPlugin ? /(^|\/)(node_modules|\.nx)(\/|$)/ : /(^|\/)(node_modules|dist|\.nx)(\/|$)/;
  cpSync(join(WORKSPACE_ROOT, 'tools/nx-lucid'), join(root, 'tools/nx-lucid'), {
    recursive: true,
    filter: (src) => !skipped.test(src.slice(WORKSPACE_ROOT.length)),
  });
  for (const folder of ['apps', 'libs'] as const) {
    for (const name of pick(folder, folder === 'apps' ? spec.apps : spec.libs)) {
      cpSync(join(WORKSPACE_ROOT, folder, name), join(root, folder, name), {
        recursive: true,
        filter: (src) => !/(__pycache__|\.pyc$)/.test(src),
      });
    }
  }
  const write = (file: string, content: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  };
  write('.gitignore', 'node_modules\n.nx\ndist\ntmp\n__pycache__\n');
  for (const [file, content] of Object.entries(spec.files ?? {})) write(file, content);

  const { git, commit: commitAll } = testGit(root);
  await git(['init', '-q', '-b', 'main']);
  const commit = (message: string) => commitAll(message, '--allow-empty');
  await commit('initial');
  return {
    root,
    write,
    remove: (file) => rmSync(join(root, file), { recursive: true, force: true }),
    git,
    commit,
    nx: (args, env = {}) =>
      runProcess(join(WORKSPACE_ROOT, 'node_modules/.bin/nx'), args, {
        cwd: root,
        env: { ...process.env, ...NX_ENV, ...env },
        allowFailure: true,
      }),
    dispose: () => {
      if (existsSync(root)) rmSync(root, { recursive: true, force: true });
    },
  };
}
