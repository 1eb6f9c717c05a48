/**
 * container-verify on images a real daemonless builder (buildah) produced: layers, whiteouts (from
 * `buildah mount` + rm, which overlay records as .wh. files and opaque dirs), configs, labels, indexes.
 */
import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../src/boundary/process';
import verifyExecutor from '../src/nx/executors/verify/executor';
import { BuildMetadata } from '../src/artifacts/metadata';
import { OciLayout } from '../src/oci/layout';
import { imageConfigSchema, indexSchema, manifestSchema } from '../src/oci/types';

const REPO = 'https://github.com/hamigames/lucid';
const LABELS: Record<string, string> = {
  'org.opencontainers.image.source': REPO,
  'org.opencontainers.image.revision': '0123456789abcdef0123456789abcdef01234567',
  'org.opencontainers.image.version': '1.0.0',
  'org.opencontainers.image.created': '2025-01-01T00:00:00Z',
  'org.opencontainers.image.title': 'verify-e2e',
};

let tmp: string;
let workspace: string;
let ctx: string;
let buildahArgs: string[];

const buildah = async (...args: string[]) =>
  (await runProcess('buildah', [...buildahArgs, ...args], { timeoutMs: 120_000 })).stdout.trim();

/** A working container from `from`, changed by `change`, committed as `name`. */
async function derive(from: string, name: string, change: (container: string) => Promise<void>): Promise<void> {
  const container = await buildah('from', '--pull-never', from);
  await change(container);
  await buildah('commit', '-q', '--format', 'oci', container, name);
  await buildah('rm', container);
}

/** Removes files through the mounted rootfs: the commit records the removal as whiteouts, no RUN needed. */
async function inMount(container: string, fn: (root: string) => void): Promise<void> {
  const root = await buildah('mount', container);
  fn(root);
  await buildah('umount', container);
}

/** Publishes images as one OCI image index into dist/containers/<project>/oci, with a metadata.json like the build writes. */
async function publish(project: string, images: string[]): Promise<string> {
  const out = join(workspace, 'dist', 'containers', project);
  const list = `list-${project}`;
  mkdirSync(out, { recursive: true });
  await buildah('manifest', 'create', list);
  for (const image of images) await buildah('manifest', 'add', list, `containers-storage:localhost/${image}:latest`);
  await buildah('manifest', 'push', '--all', '--format', 'oci', list, `oci:${join(out, 'oci')}:${project}`);
  const layout = OciLayout.open(join(out, 'oci'));
  const indexDescriptor = layout.imageIndexDescriptor();
  const index = indexSchema.parse(layout.readJsonBlob(indexDescriptor.digest));
  const manifests = index.manifests.map((m) => {
    const manifest = manifestSchema.parse(layout.readJsonBlob(m.digest));
    return {
      platform: m.platform!,
      digest: m.digest,
      mediaType: m.mediaType,
      size: m.size,
      configDigest: manifest.config.digest,
      compressedSize: manifest.layers.reduce((n, l) => n + l.size, 0),
    };
  });
  const metadata: BuildMetadata = {
    schemaVersion: 1,
    project,
    phase: 1,
    image: `ghcr.io/hamigames/lucid/${project}`,
    version: '1.0.0',
    gitSha: null,
    layout: 'oci',
    index: { digest: indexDescriptor.digest, mediaType: indexDescriptor.mediaType, size: indexDescriptor.size },
    manifests,
    compressedSize: manifests.reduce((n, m) => n + m.compressedSize, 0),
    labels: LABELS,
    annotations: {},
    base: null,
    engine: { name: 'buildah', version: '1.28' },
    attestations: { provenance: false, sbom: false, manifests: [] },
  };
  writeFileSync(join(out, 'metadata.json'), JSON.stringify(metadata, null, 2));
  return out;
}

/** The layer digests of a platform's manifest in a published layout. */
function layersOf(out: string, architecture: string): string[] {
  const layout = OciLayout.open(join(out, 'oci'));
  const index = indexSchema.parse(layout.readJsonBlob(layout.imageIndexDescriptor().digest));
  const d = index.manifests.find((m) => m.platform?.architecture === architecture)!;
  return manifestSchema.parse(layout.readJsonBlob(d.digest)).layers.map((l) => l.digest);
}

function configOf(out: string, architecture: string): string {
  const layout = OciLayout.open(join(out, 'oci'));
  const index = indexSchema.parse(layout.readJsonBlob(layout.imageIndexDescriptor().digest));
  const d = index.manifests.find((m) => m.platform?.architecture === architecture)!;
  const config = manifestSchema.parse(layout.readJsonBlob(d.digest)).config.digest;
  imageConfigSchema.parse(layout.readJsonBlob(config));
  return config;
}

const context = (project: string): ExecutorContext =>
  ({ root: workspace, cwd: workspace, projectName: project, isVerbose: false }) as unknown as ExecutorContext;

interface Run {
  success: boolean;
  errors: string[];
  report: {
    findings: Array<{
      check: string;
      platform?: string;
      layer?: string;
      config?: string;
      path?: string;
      message: string;
    }>;
  };
}

async function verify(project: string, extra: Record<string, unknown> = {}): Promise<Run> {
  const errors: string[] = [];
  const spy = jest.spyOn(logger, 'error').mockImplementation((m: unknown) => void errors.push(String(m)));
  const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  try {
    const { success } = await verifyExecutor(
      {
        outputPath: `dist/containers/${project}`,
        repository: 'hamigames/lucid',
        platforms: ['linux/amd64', 'linux/arm64'],
        ...extra,
      },
      context(project),
    );
    const report = JSON.parse(readFileSync(join(workspace, 'dist', 'containers', project, 'verify.json'), 'utf8'));
    return { success, errors, report };
  } finally {
    spy.mockRestore();
    info.mockRestore();
  }
}

const outs: Record<string, string> = {};

const MAIN = join(__dirname, '..', '..', '..');

/** Makes `workspace` an Nx workspace with the plugin and a Dockerfile per project, so the inferred target runs. */
function makeNxWorkspace(projects: string[]): void {
  for (const f of ['nx.json', 'tsconfig.base.json', 'package.json']) copyFileSync(join(MAIN, f), join(workspace, f));
  symlinkSync(join(MAIN, 'node_modules'), join(workspace, 'node_modules'));
  mkdirSync(join(workspace, 'tools', 'nx-lucid'), { recursive: true });
  for (const f of ['package.json', 'executors.json', 'generators.json', 'project.json', 'tsconfig.json']) {
    copyFileSync(join(MAIN, 'tools', 'nx-lucid', f), join(workspace, 'tools', 'nx-lucid', f));
  }
  cpSync(join(MAIN, 'tools', 'nx-lucid', 'src'), join(workspace, 'tools', 'nx-lucid', 'src'), { recursive: true });
  for (const p of projects) {
    mkdirSync(join(workspace, 'apps', p), { recursive: true });
    writeFileSync(
      join(workspace, 'apps', p, 'Dockerfile'),
      'FROM gcr.io/distroless/static-debian12:nonroot\nUSER 65532:65532\n',
    );
    writeFileSync(join(workspace, 'apps', p, 'project.json'), JSON.stringify({ name: p, tags: ['phase:1'] }));
  }
}

async function nxRun(target: string, ...args: string[]): Promise<{ exitCode: number; output: string }> {
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' };
  // The build output is already there: run verify alone, as a cache-restored build would leave it.
  const r = await runProcess(
    'node',
    [
      join(MAIN, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'),
      'run',
      target,
      '--exclude-task-dependencies',
      '--skip-nx-cache',
      ...args,
    ],
    {
      cwd: workspace,
      env,
      allowFailure: true,
      timeoutMs: 120_000,
    },
  );
  return { exitCode: r.exitCode, output: `${r.stdout}\n${r.stderr}` };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'lucid-verify-e2e-'));
  workspace = join(tmp, 'ws');
  ctx = join(tmp, 'ctx');
  buildahArgs = ['--root', join(tmp, 'root'), '--runroot', join(tmp, 'run'), '--storage-driver', 'overlay'];
  mkdirSync(join(ctx, 'app'), { recursive: true });
  writeFileSync(join(ctx, 'app', 'main.py'), 'print("hello")\n');
  writeFileSync(
    join(ctx, 'passwd'),
    'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
  );
  writeFileSync(join(ctx, 'sh'), '#!not really a shell, only its path matters\n');
  const labelArgs = Object.entries(LABELS).flatMap(([k, v]) => ['--label', `${k}=${v}`]);

  // The good distroless-style image, for both platforms: app files, passwd, non-root, labelled.
  for (const arch of ['amd64', 'arm64']) {
    const c = await buildah('from', '--arch', arch, 'scratch');
    await buildah('copy', c, join(ctx, 'app'), '/app');
    await buildah('copy', c, join(ctx, 'passwd'), '/etc/passwd');
    await buildah(
      'config',
      '--os',
      'linux',
      '--arch',
      arch,
      '--user',
      '65532:65532',
      ...labelArgs,
      '--entrypoint',
      '["/app/main.py"]',
      c,
    );
    await buildah('commit', '-q', '--format', 'oci', c, `good-${arch}`);
    await buildah('rm', c);
  }
  await derive('good-amd64', 'shell', (c) => buildah('copy', c, join(ctx, 'sh'), '/bin/sh').then(() => undefined));
  await derive('good-amd64', 'root', (c) => buildah('config', '--user', '0:0', c).then(() => undefined));
  await derive('good-amd64', 'nosource', (c) =>
    buildah('config', '--label', 'org.opencontainers.image.source-', c).then(() => undefined),
  );
  // Layer 3 removes the shell layer 2 added (overlay records bin/.wh.sh).
  await derive('shell', 'deleted', (c) => inMount(c, (root) => rmSync(join(root, 'bin', 'sh'))));
  // Layer 3 replaces /bin (an opaque directory) and puts a shell back in it.
  await derive('shell', 'readded', (c) =>
    inMount(c, (root) => {
      rmSync(join(root, 'bin'), { recursive: true });
      mkdirSync(join(root, 'bin'));
      writeFileSync(join(root, 'bin', 'sh'), 'back again\n');
    }),
  );
  // Layer 4 copies a shell back after layer 3's .wh.sh.
  await derive('deleted', 'readded-later', (c) => buildah('copy', c, join(ctx, 'sh'), '/bin/sh').then(() => undefined));

  outs.good = await publish('good', ['good-amd64', 'good-arm64']);
  outs.shell = await publish('shell', ['shell', 'good-arm64']);
  outs.root = await publish('root', ['root', 'good-arm64']);
  outs.nosource = await publish('nosource', ['nosource', 'good-arm64']);
  outs.oneplatform = await publish('oneplatform', ['good-amd64']);
  outs.deleted = await publish('deleted', ['deleted', 'good-arm64']);
  outs.readded = await publish('readded', ['readded', 'good-arm64']);
  outs.readdedLater = await publish('readded-later', ['readded-later', 'good-arm64']);
  makeNxWorkspace(['good', 'shell']);
}, 1_200_000);

afterAll(async () => {
  if (process.env.LUCID_KEEP_E2E) return;
  if (!tmp) return;
  await runProcess('buildah', [...buildahArgs, 'rm', '--all'], { allowFailure: true });
  await runProcess('buildah', [...buildahArgs, 'umount', '--all'], { allowFailure: true });
  rmSync(tmp, { recursive: true, force: true });
});

describe('container-verify on buildah-built images', () => {
  it('passes the good distroless-style two-platform image and records it in verify.json', async () => {
    const run = await verify('good');
    expect(run.errors).toEqual([]);
    expect(run.success).toBe(true);
    expect(run.report).toMatchObject({
      success: true,
      findings: [],
      platforms: [
        { platform: 'linux/amd64', user: '65532:65532' },
        { platform: 'linux/arm64', user: '65532:65532' },
      ],
    });
  });

  it('fails an image with /bin/sh, naming platform, layer and path', async () => {
    const run = await verify('shell');
    const shellLayer = layersOf(outs.shell, 'amd64')[1];
    expect(run.success).toBe(false);
    expect(run.report.findings).toEqual([
      {
        check: 'forbidden-path',
        platform: 'linux/amd64',
        layer: shellLayer,
        path: '/bin/sh',
        message: expect.any(String),
      },
    ]);
    expect(run.errors).toContain(
      `  - [linux/amd64] layer ${shellLayer} /bin/sh: shell or package manager present in the final filesystem: /bin/sh is a file`,
    );
  });

  it('fails an image that runs as root', async () => {
    const run = await verify('root');
    expect(run.success).toBe(false);
    expect(run.errors).toContain(
      `  - [linux/amd64] config ${configOf(outs.root, 'amd64')}: the image runs as root: User is "0:0" (use a non-root user such as 65532:65532)`,
    );
    expect(run.report.findings.map((f) => f.check)).toEqual(['user']);
  });

  it('fails an image without the source label', async () => {
    const run = await verify('nosource');
    expect(run.success).toBe(false);
    expect(run.errors).toContain(
      `  - [linux/amd64] config ${configOf(outs.nosource, 'amd64')}: required label org.opencontainers.image.source is missing`,
    );
    expect(run.report.findings.map((f) => f.check)).toEqual(['label']);
  });

  it('fails the good image when its source label points at another repository', async () => {
    const run = await verify('good', { sourceRepository: 'https://github.com/someone/fork' });
    expect(run.success).toBe(false);
    expect(run.errors).toContain(
      `  - [linux/amd64] config ${configOf(outs.good, 'amd64')}: label org.opencontainers.image.source is "${REPO}", expected the repository https://github.com/someone/fork`,
    );
  });

  it('fails an index that misses a configured platform', async () => {
    const run = await verify('oneplatform');
    expect(run.success).toBe(false);
    expect(run.errors).toContain(
      '  - [linux/arm64]: configured platform linux/arm64 is missing from the image index (it has: linux/amd64)',
    );
    expect(run.report.findings.map((f) => f.check)).toEqual(['platform-missing']);
  });

  it('passes an image whose shell a later layer deletes with a whiteout', async () => {
    const layers = layersOf(outs.deleted, 'amd64');
    expect(layers).toHaveLength(3); // app+passwd, +sh, .wh.sh: the shell stays in a blob, not in the filesystem
    const run = await verify('deleted');
    expect(run.errors).toEqual([]);
    expect(run.success).toBe(true);
  });

  it('fails an image where a later layer whites out /bin and puts a shell back', async () => {
    const readdLayer = layersOf(outs.readded, 'amd64')[2];
    const run = await verify('readded');
    expect(run.success).toBe(false);
    expect(run.report.findings).toEqual([
      expect.objectContaining({ platform: 'linux/amd64', layer: readdLayer, path: '/bin/sh' }),
    ]);
    expect(run.errors).toContain(
      `  - [linux/amd64] layer ${readdLayer} /bin/sh: shell or package manager present in the final filesystem: /bin/sh is a file`,
    );
  });

  it('fails an image where a shell whited out in one layer comes back in a later one', async () => {
    const layers = layersOf(outs.readdedLater, 'amd64');
    expect(layers).toHaveLength(4);
    const run = await verify('readded-later');
    expect(run.success).toBe(false);
    expect(run.errors).toContain(
      `  - [linux/amd64] layer ${layers[3]} /bin/sh: shell or package manager present in the final filesystem: /bin/sh is a file`,
    );
  });

  it('runs as the inferred container-verify target through Nx: fails on a finding, accepts --dry-run', async () => {
    const failed = await nxRun('shell:container-verify');
    expect(failed.exitCode).not.toBe(0);
    expect(failed.output).toContain(
      `  - [linux/amd64] layer ${layersOf(outs.shell, 'amd64')[1]} /bin/sh: shell or package manager present`,
    );
    const dry = await nxRun('good:container-verify', '--dry-run');
    expect(dry.output).toContain('[dry-run] would write dist/containers/good/verify.json');
    expect(dry.exitCode).toBe(0);
  });

  it('fails with a clear message when the build has not run', async () => {
    const errors: string[] = [];
    const spy = jest.spyOn(logger, 'error').mockImplementation((m: unknown) => void errors.push(String(m)));
    const result = await verifyExecutor(
      { outputPath: 'dist/containers/never-built', repository: 'hamigames/lucid' },
      context('never-built'),
    );
    spy.mockRestore();
    expect(result.success).toBe(false);
    expect(errors.join('\n')).toContain(
      'dist/containers/never-built/metadata.json not found: run the container-build target first',
    );
  });
});
