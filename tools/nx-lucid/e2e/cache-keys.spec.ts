/*
 * Exact container-build cache keys, through Nx's own task hasher on a throwaway workspace (two fixture services,
 * the plugin copied in): the plugin code that decides image content is an input, scan-only code and unrelated npm
 * packages are not. `lucid affected` must name exactly the services whose hash moved.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../src/boundary/process';
import { createWorkspace, NX_ENV, ThrowawayWorkspace } from './support/workspace';

const SERVICES = ['svc-alpha', 'svc-beta'];
const service = (name: string): Record<string, string> => ({
  [`apps/${name}/project.json`]: JSON.stringify({ name, tags: ['type:service', 'phase:1'] }),
  [`apps/${name}/src/main.py`]: `print("${name}")\n`,
  // FROM scratch: no base digest to resolve, so hashing needs no registry.
  [`apps/${name}/Dockerfile`]: `FROM scratch\nCOPY apps/${name}/src/ /app/\n`,
});

let ws: ThrowawayWorkspace;

async function hashes(): Promise<Record<string, string>> {
  const r = await runProcess('node', [join(__dirname, 'support/task-hashes.js'), 'container-build'], {
    cwd: ws.root,
    env: { ...process.env, ...NX_ENV },
    allowFailure: true,
  });
  if (r.exitCode !== 0) throw new Error(`task-hashes failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function lucidAffected(base: string, head: string): Promise<string[]> {
  const r = await runProcess(
    'node',
    [
      '-r',
      '@swc-node/register',
      'tools/nx-lucid/bin/lucid.ts',
      'affected',
      `--base=${base}`,
      `--head=${head}`,
      '--json',
    ],
    {
      cwd: ws.root,
      env: { ...process.env, ...NX_ENV },
      allowFailure: true,
    },
  );
  if (r.exitCode !== 0) throw new Error(`lucid affected failed:\n${r.stderr}`);
  return JSON.parse(r.stdout).affected.map((a: { name: string }) => a.name);
}

const changed = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(b)
    .filter((k) => a[k] !== b[k])
    .map((k) => k.split(':')[0])
    .sort();

/** Locks `name` at another version and integrity, as `npm install name@version` would. */
function bumpLocked(name: string, version: string): void {
  const lock = JSON.parse(readFileSync(join(ws.root, 'package-lock.json'), 'utf8'));
  const entry = lock.packages[`node_modules/${name}`];
  if (!entry) throw new Error(`${name} is not in the lockfile`);
  entry.version = version;
  entry.resolved = `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${version}.tgz`;
  entry.integrity = `sha512-${Buffer.from(`${name}@${version}`).toString('base64')}`;
  ws.write('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
}

beforeAll(async () => {
  ws = await createWorkspace({ files: Object.assign({}, ...SERVICES.map(service)) });
});
afterAll(() => ws?.dispose());

describe('container-build cache keys (Nx task hasher)', () => {
  let before: Record<string, string>;
  let rev: string;
  beforeAll(async () => {
    before = await hashes();
    rev = await ws.git(['rev-parse', 'HEAD']);
    expect(Object.keys(before).sort()).toEqual(SERVICES.map((s) => `${s}:container-build`));
  });
  const step = async (change: () => void, message: string) => {
    change();
    const head = await ws.commit(message);
    const after = await hashes();
    const result = { rebuilt: changed(before, after), affected: await lucidAffected(rev, head) };
    before = after;
    rev = head;
    return result;
  };

  it('a label change in image/labels.ts rebuilds every service, and lucid affected says so', async () => {
    const file = 'tools/nx-lucid/src/image/labels.ts';
    const r = await step(
      () => ws.write(file, `${readFileSync(join(ws.root, file), 'utf8')}\nexport const LABEL_TOUCHED = 'x';\n`),
      'labels',
    );
    expect(r).toEqual({ rebuilt: SERVICES, affected: SERVICES });
  });
  it('a change to scan/summary.ts rebuilds none', async () => {
    const file = 'tools/nx-lucid/src/scan/summary.ts';
    const r = await step(
      () => ws.write(file, `${readFileSync(join(ws.root, file), 'utf8')}\n// a scan-only change\n`),
      'scan summary',
    );
    expect(r).toEqual({ rebuilt: [], affected: [] });
  });
  it('bumping an unrelated devDependency in package-lock.json rebuilds none', async () => {
    const r = await step(() => bumpLocked('@types/semver', '7.8.99'), 'bump @types/semver');
    expect(r).toEqual({ rebuilt: [], affected: [] });
  });
  it('bumping a package the build imports (dockerfile-ast) rebuilds every service', async () => {
    const r = await step(() => bumpLocked('dockerfile-ast', '0.7.99'), 'bump dockerfile-ast');
    expect(r).toEqual({ rebuilt: SERVICES, affected: SERVICES });
  });
});
