import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runProcess } from '../src/boundary/process';
import { packPlugin, WORKSPACE_NX_VERSION } from './support/packed-plugin';

/**
 * The plugin as another workspace gets it: `npm pack` in tools/nx-lucid, the tarball and nx installed with
 * npm into a fresh git repository (no tsconfig, no TypeScript loader, nothing of this repository), then
 * `nx g @lucid/nx-lucid:init` and the inferred targets as a person runs them.
 */
const ENV: NodeJS.ProcessEnv = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  CI: 'true',
  NX_SKIP_NX_CACHE: 'true',
};
// The image repository must come from this workspace alone (its git remote), not from the machine running the test.
delete ENV.GITHUB_REPOSITORY;
delete ENV.LUCID_REPOSITORY;
const HANG_GUARD = 600_000;

let tmp: string;
let ws: string;
let tarball: string;

const write = (file: string, content: string) => {
  mkdirSync(dirname(join(ws, file)), { recursive: true });
  writeFileSync(join(ws, file), content);
};
const nx = (args: string[]) =>
  runProcess(join(ws, 'node_modules/.bin/nx'), args, { cwd: ws, env: ENV, allowFailure: true, timeoutMs: HANG_GUARD });
const git = (args: string[]) =>
  runProcess(
    'git',
    ['-c', 'user.name=lucid-test', '-c', 'user.email=test@lucid.invalid', '-c', 'commit.gpgsign=false', ...args],
    { cwd: ws },
  );

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'lucid-package-'));
  ws = join(tmp, 'workspace');
  mkdirSync(ws);
  tarball = await packPlugin(tmp, ENV);

  write('package.json', JSON.stringify({ name: 'adopter', version: '0.0.0', private: true }, null, 2));
  write('nx.json', JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json' }, null, 2));
  write('.gitignore', 'node_modules\n.nx\ndist\n');
  // A service the plugin knows nothing about beforehand; FROM scratch, so the dry run needs no registry.
  write('services/hello/Dockerfile', 'FROM scratch\nCOPY services/hello/app.py /app/app.py\nUSER 65532:65532\n');
  write('services/hello/project.json', JSON.stringify({ name: 'hello' }));
  write('services/hello/app.py', 'print("hello")\n');
  await runProcess(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `nx@${WORKSPACE_NX_VERSION}`],
    {
      cwd: ws,
      env: ENV,
      timeoutMs: HANG_GUARD,
    },
  );
  await git(['init', '-q', '-b', 'main']);
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', 'initial']);
}, HANG_GUARD);

afterAll(() => tmp && rmSync(tmp, { recursive: true, force: true }));

it('the tarball is compiled JavaScript with its schemas, templates and runtime scripts; no TypeScript source', async () => {
  const listed = await runProcess('tar', ['-tzf', tarball]);
  const files = listed.stdout
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
  expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  expect(files).toEqual(
    expect.arrayContaining([
      'package.json',
      'README.md',
      'LICENSE',
      'executors.json',
      'generators.json',
      'dist/src/index.js',
      'dist/src/nx/executors/build/executor.js',
      'dist/src/nx/executors/build/schema.json',
      'dist/src/nx/generators/init/schema.json',
      'dist/src/nx/generators/service/files/Dockerfile__tmpl__',
      'dist/bin/lucid.js',
      'bin/base-digest.js',
      'bin/trivy-db-key.js',
    ]),
  );
  // Every path the manifests name is in the package.
  const installed = join(ws, 'node_modules/@lucid/nx-lucid');
  for (const manifest of ['executors.json', 'generators.json']) {
    const entries = Object.values(JSON.parse(readFileSync(join(installed, manifest), 'utf8')))[0] as Record<
      string,
      Record<string, string>
    >;
    for (const entry of Object.values(entries)) {
      expect(existsSync(join(installed, `${entry.implementation ?? entry.factory}.js`))).toBe(true);
      expect(existsSync(join(installed, entry.schema))).toBe(true);
    }
  }
});

it('installed with nothing but nx and its declared dependencies: no TypeScript loader, no tsconfig', () => {
  const modules = readdirSync(join(ws, 'node_modules'));
  expect(modules).not.toContain('@swc-node');
  expect(modules).not.toContain('ts-node');
  expect(modules).not.toContain('typescript');
  expect(existsSync(join(ws, 'tsconfig.base.json')) || existsSync(join(ws, 'tsconfig.json'))).toBe(false);
});

it('nx g @lucid/nx-lucid:init, then the Dockerfile project has container-build and a dry run works', async () => {
  const init = await nx(['g', '@lucid/nx-lucid:init', '--no-interactive']);
  expect(init.exitCode).toBe(0);
  const plugins = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8')).plugins as Array<string | { plugin: string }>;
  expect(plugins.map((p) => (typeof p === 'string' ? p : p.plugin))).toContain('@lucid/nx-lucid');

  const projects = await nx(['show', 'projects', '--json']);
  expect(projects.exitCode).toBe(0);
  expect(JSON.parse(projects.stdout)).toContain('hello');
  const shown = await nx(['show', 'project', 'hello', '--json']);
  expect(shown.exitCode).toBe(0);
  const targets = JSON.parse(shown.stdout).targets;
  expect(targets['container-build'].executor).toBe('@lucid/nx-lucid:build');
  // Runtime inputs run the package's own scripts, by a workspace-relative path that exists here (Nx runs them
  // from the workspace root). The base-digest one answers at once for a closed loopback port: no network.
  const runtime = (targets.scan.inputs as Array<{ runtime?: string }>).find((i) => i.runtime)?.runtime;
  expect(runtime).toBe('node node_modules/@lucid/nx-lucid/bin/trivy-db-key.js');
  const dbKey = await runProcess('sh', ['-c', runtime as string], { cwd: ws, env: ENV });
  expect(dbKey.stdout).toMatch(/^trivy:/);
  const digest = await runProcess('node', ['node_modules/@lucid/nx-lucid/bin/base-digest.js', '127.0.0.1:9/base:1'], {
    cwd: ws,
    env: ENV,
  });
  expect(digest.stdout).toMatch(/^unresolved:127\.0\.0\.1:9\/base:1 /);

  // No repository configured, no GITHUB_REPOSITORY, no origin remote: the build asks for one, naming where to set it.
  const unnamed = await nx(['run', 'hello:container-build', '--dry-run']);
  expect(unnamed.exitCode).not.toBe(0);
  expect(unnamed.stdout + unnamed.stderr).toContain(
    'no image repository: set "repository" in the @lucid/nx-lucid plugin',
  );
  expect(unnamed.stdout + unnamed.stderr).not.toMatch(/hamigames/i);

  await git(['remote', 'add', 'origin', 'git@github.com:Acme/Hello.git']);
  const dry = await nx(['run', 'hello:container-build', '--dry-run']);
  expect({ exitCode: dry.exitCode, output: dry.exitCode ? dry.stdout + dry.stderr : '' }).toEqual({
    exitCode: 0,
    output: '',
  });
  expect(dry.stdout).toContain('[dry-run] hello: would run');
  expect(dry.stdout).toContain('services/hello/Dockerfile');
  expect(dry.stdout).toContain('--label org.opencontainers.image.source=https://github.com/Acme/Hello ');
  expect(existsSync(join(ws, 'dist/containers/hello/oci'))).toBe(false);
});
