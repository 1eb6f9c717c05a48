/*
 * The packed plugin installed beside the Nx a new user has: a workspace made by `create-nx-workspace` (npm preset:
 * nx and @nx/js, no framework, nothing downloads a browser), moved to each Nx version the peer range claims to
 * support, then `npm install` of the tarball, `nx g @lucid/nx-lucid:init`, the inferred targets and a dry-run build.
 * Checked per version: npm accepts the peer range (no ERESOLVE), the dependencies dedupe with Nx's own (no nested
 * copies) and the install adds at most 10 MB; the image is named from the git remote, not after Lucid.
 *
 * The created workspaces and their npm cache are kept under .lucid/nx-compat/ (git-ignored), so a rerun installs
 * only the tarball. Versions: `npm view nx versions` and `npm view create-nx-workspace versions` on 2026-12-08 —
 * the newest create-nx-workspace is 23.2.1, so the 23.3 and 24.0 workspaces are that one with nx (and @nx/devkit,
 * whose newest 24.x is 24.0.6) moved to the version, as `nx migrate` leaves a workspace.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, RunResult } from '../src/boundary/process';
import { packPlugin } from './support/packed-plugin';
import { WORKSPACE_ROOT } from './support/workspace';

const CREATE_NX_WORKSPACE = '23.2.1';
/** nx version → the @nx/devkit installed with it (the same, or the newest published below it). */
const VERSIONS: Array<[nx: string, devkit: string]> = [
  ['23.2.1', '23.2.1'], // the version this repository runs, as create-nx-workspace made it
  ['23.3.2', '23.3.2'], // the newest 23.x
  ['24.0.7', '24.0.6'], // the newest 24.x
];
const MAX_ADDED_BYTES = 10 * 1024 * 1024;
const CACHE = join(WORKSPACE_ROOT, '.lucid', 'nx-compat');
const HANG_GUARD = 900_000;
jest.setTimeout(HANG_GUARD);

const ENV: NodeJS.ProcessEnv = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_SKIP_NX_CACHE: 'true',
  CI: 'true',
  npm_config_cache: join(CACHE, 'npm-cache'),
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  GIT_AUTHOR_NAME: 'lucid-test',
  GIT_AUTHOR_EMAIL: 'test@lucid.invalid',
  GIT_COMMITTER_NAME: 'lucid-test',
  GIT_COMMITTER_EMAIL: 'test@lucid.invalid',
};
// Outside variables that would point the plugin at another repository.
delete ENV.GITHUB_REPOSITORY;
delete ENV.LUCID_REPOSITORY;

const run = (cmd: string, args: string[], cwd: string): Promise<RunResult> =>
  runProcess(cmd, args, { cwd, env: ENV, allowFailure: true, timeoutMs: HANG_GUARD });
const mustRun = async (cmd: string, args: string[], cwd: string): Promise<RunResult> => {
  const r = await run(cmd, args, cwd);
  if (r.exitCode !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.exitCode}) in ${cwd}:\n${r.stdout}${r.stderr}`);
  return r;
};

function resolvable(name: string, from: string): boolean {
  try {
    require.resolve(name, { paths: [from] });
    return true;
  } catch {
    return false;
  }
}

/** The bytes under a folder (apparent sizes, as npm counts a package's unpacked size). */
function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** create-nx-workspace's workspace, made once and kept (a `.complete` marker says it finished). */
async function createdWorkspace(): Promise<string> {
  const dir = join(CACHE, `created-${CREATE_NX_WORKSPACE}`);
  const ws = join(dir, 'adopter');
  if (existsSync(join(dir, '.complete'))) return ws;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await mustRun(
    'npx',
    [
      '-y',
      `create-nx-workspace@${CREATE_NX_WORKSPACE}`,
      'adopter',
      '--preset=npm',
      '--pm=npm',
      '--nxCloud=skip',
      '--no-interactive',
    ],
    dir,
  );
  writeFileSync(join(dir, '.complete'), '');
  return ws;
}

/** The created workspace moved to one Nx version, kept per version. */
async function workspaceOn(nx: string, devkit: string): Promise<string> {
  const dir = join(CACHE, `nx-${nx}`);
  if (existsSync(join(dir, '.complete'))) return join(dir, 'adopter');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const created = await createdWorkspace();
  cpSync(created, join(dir, 'adopter'), { recursive: true, verbatimSymlinks: true });
  const ws = join(dir, 'adopter');
  const pkg = JSON.parse(readFileSync(join(ws, 'package.json'), 'utf8'));
  if (pkg.devDependencies.nx !== nx) {
    // As after `nx migrate`: nx and the devkit at the version (@nx/js has no release of every nx version).
    await mustRun('npm', ['uninstall', '@nx/js'], ws);
    await mustRun('npm', ['install', '-D', '--save-exact', `nx@${nx}`, `@nx/devkit@${devkit}`], ws);
  }
  writeFileSync(join(dir, '.complete'), '');
  return ws;
}

let tarball: string;
let tmp: string;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'lucid-nx-compat-'));
  tarball = await packPlugin(tmp, ENV);
}, HANG_GUARD);
afterAll(() => tmp && rmSync(tmp, { recursive: true, force: true }));

describe.each(VERSIONS)('the packed plugin in a new workspace on nx %s', (nxVersion, devkitVersion) => {
  let ws: string;
  let install: RunResult;
  let addedBytes: number;
  beforeAll(async () => {
    ws = join(tmp, `nx-${nxVersion}`);
    cpSync(await workspaceOn(nxVersion, devkitVersion), ws, { recursive: true, verbatimSymlinks: true });
    // A Dockerfile-only project (no project.json: the plugin infers it) and the repository's GitHub remote.
    mkdirSync(join(ws, 'services/hello'), { recursive: true });
    writeFileSync(join(ws, 'services/hello/app.py'), 'print("hello")\n');
    writeFileSync(
      join(ws, 'services/hello/Dockerfile'),
      'FROM scratch\nCOPY services/hello/app.py /app/app.py\nUSER 65532:65532\n',
    );
    // create-nx-workspace skips `git init` inside another repository (this one, where the cache lives).
    if (!existsSync(join(ws, '.git'))) await mustRun('git', ['init', '-q', '-b', 'main'], ws);
    await mustRun('git', ['remote', 'add', 'origin', 'https://github.com/Acme-Corp/Hello-World.git'], ws);
    await mustRun('git', ['add', '-A'], ws);
    await mustRun('git', ['commit', '-q', '-m', 'hello service'], ws);

    const before = folderBytes(join(ws, 'node_modules'));
    install = await run('npm', ['install', '-D', '--prefer-offline', tarball], ws);
    addedBytes = folderBytes(join(ws, 'node_modules')) - before;
  });

  it("npm installs it beside this nx: no ERESOLVE, Nx's copies reused, at most 10 MB added", () => {
    expect({ exitCode: install.exitCode, stderr: install.exitCode ? install.stderr : '' }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    const installed = (name: string) =>
      JSON.parse(readFileSync(join(ws, 'node_modules', name, 'package.json'), 'utf8')).version as string;
    expect(installed('nx')).toBe(nxVersion);
    expect(installed('@nx/devkit')).toBe(devkitVersion);
    // Every dependency Nx also has resolves to Nx's own copy, unless npm nested Nx's copy under nx itself.
    const plugin = join(ws, 'node_modules/@lucid/nx-lucid');
    const nxDir = join(ws, 'node_modules/nx');
    const dependencies = Object.keys(JSON.parse(readFileSync(join(plugin, 'package.json'), 'utf8')).dependencies);
    const shared = dependencies.filter((d) => resolvable(d, nxDir));
    expect(shared).toEqual(expect.arrayContaining(['minimatch', 'semver', 'tar-stream', 'yaml']));
    for (const d of shared) {
      const nxCopy = require.resolve(d, { paths: [nxDir] });
      const unshareable = nxCopy.startsWith(join(nxDir, 'node_modules'));
      expect([d, unshareable || require.resolve(d, { paths: [plugin] }) === nxCopy]).toEqual([d, true]);
    }
    expect(addedBytes).toBeLessThanOrEqual(MAX_ADDED_BYTES);
  });

  it('init registers the plugin and says nothing about Lucid; the Dockerfile project gets the container targets', async () => {
    const init = await run(join(ws, 'node_modules/.bin/nx'), ['g', '@lucid/nx-lucid:init', '--no-interactive'], ws);
    expect({ exitCode: init.exitCode, output: init.exitCode ? init.stdout + init.stderr : '' }).toEqual({
      exitCode: 0,
      output: '',
    });
    expect(init.stdout + init.stderr).not.toMatch(/hamigames|catalogue|not mapped/i);
    const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8'));
    const plugins = (nxJson.plugins ?? []) as Array<string | { plugin: string }>;
    expect(plugins.map((p) => (typeof p === 'string' ? p : p.plugin))).toContain('@lucid/nx-lucid');
    expect(JSON.stringify(nxJson)).not.toMatch(/hamigames/i);

    const shown = await run(join(ws, 'node_modules/.bin/nx'), ['show', 'project', 'hello', '--json'], ws);
    expect({ exitCode: shown.exitCode, output: shown.exitCode ? shown.stdout + shown.stderr : '' }).toEqual({
      exitCode: 0,
      output: '',
    });
    const targets = JSON.parse(shown.stdout).targets as Record<
      string,
      { executor: string; options: { repository?: string } }
    >;
    expect(Object.fromEntries(Object.entries(targets).map(([name, t]) => [name, t.executor]))).toEqual(
      expect.objectContaining({
        'container-build': '@lucid/nx-lucid:build',
        scan: '@lucid/nx-lucid:scan',
        'container-verify': '@lucid/nx-lucid:verify',
        'container-push': '@lucid/nx-lucid:push',
        'container-release': '@lucid/nx-lucid:release',
      }),
    );
    // No repository configured: the images are named after the origin remote, lower-cased.
    expect(targets['container-build'].options.repository).toBe('acme-corp/hello-world');
    expect(targets['container-push'].options.repository).toBe('acme-corp/hello-world');
  });

  it('a dry-run build plans the image labelled with the git remote as its source, writing nothing', async () => {
    const dry = await run(join(ws, 'node_modules/.bin/nx'), ['run', 'hello:container-build', '--dry-run'], ws);
    expect({ exitCode: dry.exitCode, output: dry.exitCode ? dry.stdout + dry.stderr : '' }).toEqual({
      exitCode: 0,
      output: '',
    });
    expect(dry.stdout).toContain('[dry-run] hello: would run');
    expect(dry.stdout).toContain('--label org.opencontainers.image.source=https://github.com/Acme-Corp/Hello-World ');
    expect(dry.stdout + dry.stderr).not.toMatch(/hamigames/i);
    expect(existsSync(join(ws, 'dist/containers/hello/oci'))).toBe(false);
  });

  it('nx g service writes a service that needs nothing this workspace lacks: its own test passes', async () => {
    const nx = join(ws, 'node_modules/.bin/nx');
    const made = await run(nx, ['g', '@lucid/nx-lucid:service', 'greeter', '--phase=1', '--no-interactive'], ws);
    expect({ exitCode: made.exitCode, output: made.exitCode ? made.stdout + made.stderr : '' }).toEqual({
      exitCode: 0,
      output: '',
    });
    expect(readFileSync(join(ws, 'apps/greeter/Dockerfile'), 'utf8')).not.toMatch(/^COPY libs\//m);
    const test = await run(
      'python3',
      ['-m', 'unittest', 'discover', '-q', '-p', 'test_*.py'],
      join(ws, 'apps/greeter/tests'),
    );
    expect({ exitCode: test.exitCode, output: test.exitCode ? test.stdout + test.stderr : '' }).toEqual({
      exitCode: 0,
      output: '',
    });
    const shown = await run(nx, ['show', 'project', 'greeter', '--json'], ws);
    expect(JSON.parse(shown.stdout).targets['container-build'].options.dockerfile).toBe('apps/greeter/Dockerfile');
  });
});
