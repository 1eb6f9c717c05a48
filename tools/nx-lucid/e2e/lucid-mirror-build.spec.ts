/*
 * A Lucid Dockerfile (payment_systems/tron/Dockerfile of HamiGames/Lucid: builder `FROM python:3.11-slim`, a short
 * docker.io name, and a literal `FROM gcr.io/distroless/python3-debian12`) built with buildah and with real BuildKit,
 * both images served only by a local registry under the mirror paths. docker.io and gcr.io are unreachable here,
 * and BuildKit's own docker.io mirror (the registry's root) holds no python image: a pass proves the plugin sent
 * each pull to its mirror. The stand-ins carry a shell and stub apt-get/pip/rm so the file's RUN steps run; the
 * stub pip fails on a requirement named lucid-missing-*, which must come back as the RUN's file:line.
 */
import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../src/boundary/process';
import buildExecutor from '../src/nx/executors/build/executor';
import { parseBuildMetadata } from '../src/artifacts/metadata';
import { BUILDKIT_SOURCE, startBuildkit, TestBuildkit } from './support/buildkit';
import { startRegistry, TestRegistry } from './support/registry';
import { HOST_SHELL, pushStandIn, shellFiles } from './support/standin-image';
import {
  buildkitRequirement,
  describeWhenAvailable,
  LUCID_TREE_TARBALL,
  lucidTreeRequirement,
} from './support/external-requirements';

const TARBALL = LUCID_TREE_TARBALL;
const DOCKERFILE = 'payment_systems/tron/Dockerfile';
const PROJECT = 'tron-payment';
const HANG_GUARD = 600000;
jest.setTimeout(HANG_GUARD);

// The Lucid tree comes from ../shared (a line says how to provide it, and CI fails without it); the stand-ins
// borrow the host's amd64 dash, which every Debian amd64 machine has.
const hostShell = {
  what: "the host's amd64 dash and C library (for the stand-ins' RUN steps)",
  paths: arch() === 'x64' ? HOST_SHELL : ['/proc/lucid-needs-an-amd64-host'],
  howTo: 'run on a Debian amd64 host',
};
const describeIf = describeWhenAvailable([lucidTreeRequirement, buildkitRequirement(BUILDKIT_SOURCE), hostShell]);

const STUB = (body: string) => ({ content: `#!/bin/sh\n${body}\n`, mode: 0o755 });
const PIP = [
  '# stand-in pip: fails on a requirement named lucid-missing-*, as pip does on one it cannot find',
  'while [ $# -gt 0 ]; do',
  '  if [ "$1" = -r ]; then',
  '    while read -r req; do case "$req" in lucid-missing*) echo "ERROR: No matching distribution found for $req" >&2; exit 1;; esac; done < "$2"',
  '  fi',
  '  shift',
  'done',
].join('\n');

describeIf('a Lucid Dockerfile builds with every pull from a local mirror (buildah and BuildKit)', () => {
  let registry: TestRegistry;
  let buildkit: TestBuildkit;
  let root: string;
  let baseDigest: string;
  let runLine: number;

  const build = async (
    engine: 'buildah' | 'buildx',
    verbose = false,
    dockerfile = DOCKERFILE,
    extra: Record<string, unknown> = {},
  ) => {
    const saved = { ...process.env };
    const lines: string[] = [];
    const errors: string[] = [];
    Object.assign(process.env, {
      ...(engine === 'buildx' ? buildkit.env : {}),
      LUCID_ENGINE: engine,
      LUCID_REGISTRY: registry.host,
      // The Lucid tarball has no git remote and its nx.json names no repository: the build would ask for one.
      LUCID_REPOSITORY: 'hamigames/lucid',
      LUCID_PLATFORMS: 'linux/amd64',
      LUCID_ATTESTATIONS: 'none',
      LUCID_REGISTRY_MIRRORS: `docker.io=${registry.host}/mirror/docker.io,gcr.io=${registry.host}/mirror/gcr.io`,
      LUCID_INSECURE_REGISTRIES: registry.host,
      LUCID_BLOB_STORE: join(root, '.blobs'),
    });
    jest.spyOn(logger, 'info').mockImplementation((m) => void lines.push(String(m)));
    jest.spyOn(logger, 'error').mockImplementation((m) => void errors.push(String(m)));
    for (const stream of [process.stdout, process.stderr])
      jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    try {
      const ctx = {
        root,
        cwd: root,
        isVerbose: verbose,
        projectName: PROJECT,
        projectsConfigurations: { version: 2, projects: { [PROJECT]: { root: 'payment_systems/tron', tags: [] } } },
      };
      const r = await buildExecutor(
        {
          outputPath: `dist/${PROJECT}-${engine}`,
          repository: 'hamigames/lucid',
          dockerfile,
          context: 'payment_systems/tron',
          ...extra,
        },
        ctx as unknown as ExecutorContext,
      );
      return { ...r, log: lines.join(''), error: errors.join('\n') };
    } finally {
      jest.restoreAllMocks();
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  };
  const metadata = (engine: string) =>
    parseBuildMetadata(JSON.parse(readFileSync(join(root, `dist/${PROJECT}-${engine}/metadata.json`), 'utf8')));

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'lucid-mirror-build-'));
    mkdirSync(join(root, 'payment_systems/tron'), { recursive: true });
    await runProcess('tar', [
      '-xzf',
      TARBALL,
      '-C',
      root,
      `./${DOCKERFILE}`,
      './payment_systems/tron/requirements.txt',
    ]);
    const lines = readFileSync(join(root, DOCKERFILE), 'utf8').split('\n');
    runLine = lines.findIndex((l) => l.startsWith('RUN pip install')) + 1;
    expect(lines.map((l) => l.trim()).filter((l) => l.startsWith('FROM'))).toEqual([
      'FROM python:3.11-slim as builder',
      'FROM gcr.io/distroless/python3-debian12',
    ]);
    registry = await startRegistry();
    await pushStandIn(registry.host, 'mirror/docker.io/library/python', '3.11-slim', [
      ...shellFiles(),
      { path: 'usr/bin/apt-get', ...STUB('exit 0') },
      { path: 'bin/rm', ...STUB('exit 0') },
      { path: 'usr/local/bin/pip', ...STUB(PIP) },
      { path: 'root/.local/lucid-standin', content: 'python stand-in\n' },
      { path: 'tmp' },
    ]);
    baseDigest = await pushStandIn(
      registry.host,
      'mirror/gcr.io/distroless/python3-debian12',
      'latest',
      [{ path: 'etc/lucid-base', content: 'distroless stand-in\n' }],
      { User: '65532:65532' },
    );
    buildkit = await startBuildkit(registry);
  }, HANG_GUARD);
  afterAll(async () => {
    await buildkit?.stop();
    await registry?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  }, HANG_GUARD);

  it.each(['buildah', 'buildx'] as const)('%s: both stages pulled from the mirror, the image built', async (engine) => {
    const r = await build(engine);
    if (!r.success) throw new Error(`${engine} build failed:\n${r.error}\n${r.log.slice(-4000)}`);
    expect(r.log).toContain(`pull python:3.11-slim → ${registry.host}/mirror/docker.io/library/python:3.11-slim`);
    expect(r.log).toContain(
      `pull gcr.io/distroless/python3-debian12 → ${registry.host}/mirror/gcr.io/distroless/python3-debian12`,
    );
    const built = metadata(engine);
    expect(built.base).toEqual({ ref: 'gcr.io/distroless/python3-debian12', digest: baseDigest });
    expect(built.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`)).toEqual(['linux/amd64']);
    // The builder stage's /root/.local (the python stand-in's) is in the image: COPY --from=builder ran on it.
    const blobs = join(root, `dist/${PROJECT}-${engine}/oci/blobs/sha256`);
    const manifest = JSON.parse(readFileSync(join(blobs, built.manifests[0].digest.slice(7)), 'utf8'));
    const listings = await Promise.all(
      (manifest.layers as Array<{ digest: string }>)
        .map((l) => join(blobs, l.digest.slice(7)))
        .filter((f) => existsSync(f))
        .map(async (f) => (await runProcess('tar', ['-tzf', f])).stdout),
    );
    expect(listings.join('\n')).toMatch(/(^|\n)(\.\/)?root\/\.local\/lucid-standin\n/);
  });

  it.each(['buildah', 'buildx'] as const)('%s: a RUN that fails is reported at its file:line', async (engine) => {
    appendFileSync(join(root, 'payment_systems/tron/requirements.txt'), '\nlucid-missing-package==1.0\n');
    try {
      const r = await build(engine, engine === 'buildah');
      expect(r.success).toBe(false);
      const [first, ...rest] = r.error.split('\n');
      expect(first).toMatch(
        new RegExp(
          `^${DOCKERFILE}:${runLine}: RUN pip install --no-cache-dir --user -r requirements\\.txt: \\S.* \\[@lucid/nx-lucid:build \\(${PROJECT}\\)\\]$`,
        ),
      );
      const logLine = rest.find((l) => l.startsWith("the engine's full log: "));
      const logPath = logLine!.slice("the engine's full log: ".length);
      expect(logPath).toBe(join(root, `dist/${PROJECT}-${engine}`, 'engine.log'));
      expect(readFileSync(logPath, 'utf8')).toContain('No matching distribution found for lucid-missing-package==1.0');
      // The command line only with --verbose (buildah's run here is verbose, BuildKit's is not).
      const command = rest.find((l) => l.startsWith('command: '));
      if (engine === 'buildah') expect(command).toMatch(/^command: buildah --root /);
      else expect(command).toBeUndefined();
      if (engine === 'buildx') expect(r.error).not.toContain('buildx build --platform');
    } finally {
      const path = join(root, 'payment_systems/tron/requirements.txt');
      writeFileSync(path, readFileSync(path, 'utf8').replace('\nlucid-missing-package==1.0\n', ''));
    }
  });

  it('buildx: the # syntax= frontend (in 85 Lucid Dockerfiles) comes from the docker.io mirror too', async () => {
    // The frontend only under the mirror path: BuildKit's own docker.io mirror (the registry's root) loses it.
    const tls = ['--src-tls-verify=false', '--dest-tls-verify=false'];
    const frontend = `${registry.host}/docker/dockerfile:1`;
    await runProcess('skopeo', [
      'copy',
      '--all',
      ...tls,
      `docker://${frontend}`,
      `docker://${registry.host}/mirror/docker.io/docker/dockerfile:1`,
    ]);
    await runProcess('skopeo', ['delete', '--tls-verify=false', `docker://${frontend}`]);
    const withSyntax = 'payment_systems/tron/Dockerfile.syntax';
    writeFileSync(
      join(root, withSyntax),
      `# syntax=docker/dockerfile:1\n${readFileSync(join(root, DOCKERFILE), 'utf8')}`,
    );
    const r = await build('buildx', false, withSyntax);
    if (!r.success) throw new Error(`buildx build failed:\n${r.error}\n${r.log.slice(-4000)}`);
    expect(r.log).toContain(
      `pull frontend docker/dockerfile:1 → ${registry.host}/mirror/docker.io/docker/dockerfile:1`,
    );
  });

  it.each(['buildah', 'buildx'] as const)(
    '%s: target, an env secret (never in argv or logs), a build context, labels and noCache reach the engine',
    async (engine) => {
      const token = `tok-${Date.now().toString(36)}-e2e-secret`.padEnd(32, 'x');
      mkdirSync(join(root, 'apps/opts/extra'), { recursive: true });
      writeFileSync(join(root, 'apps/opts/extra/marker'), 'from the named context\n');
      writeFileSync(
        join(root, 'apps/opts/Dockerfile'),
        [
          'FROM python:3.11-slim AS base',
          // The build fails unless the secret arrives whole; nothing prints it.
          'RUN --mount=type=secret,id=token read t < /run/secrets/token; [ "${#t}" -eq 32 ]',
          'FROM base AS runtime',
          'COPY --from=extra marker /marker',
          // Past the target: a stage that cannot build (scratch has no shell).
          'FROM scratch AS never',
          'RUN exit 1',
          '',
        ].join('\n'),
      );
      process.env.LUCID_E2E_TOKEN = token;
      try {
        const r = await build(engine, false, 'apps/opts/Dockerfile', {
          context: 'apps/opts',
          target: 'runtime',
          secrets: [{ id: 'token', env: 'LUCID_E2E_TOKEN' }],
          buildContexts: { extra: 'apps/opts/extra' },
          labels: { 'com.example.team': 'payments' },
          noCache: true,
        });
        if (!r.success) throw new Error(`${engine} build failed:\n${r.error}\n${r.log.slice(-4000)}`);
        expect(`${r.log}\n${r.error}`).not.toContain(token);
        const layout = `oci:${join(root, `dist/${PROJECT}-${engine}/oci`)}`;
        const config = JSON.parse((await runProcess('skopeo', ['inspect', '--config', layout])).stdout);
        expect(config.config.Labels['com.example.team']).toBe('payments');
        const dry = await build(engine, false, 'apps/opts/Dockerfile', {
          context: 'apps/opts',
          target: 'runtime',
          secrets: [{ id: 'token', env: 'LUCID_E2E_TOKEN' }],
          buildContexts: { extra: 'apps/opts/extra' },
          noCache: true,
          dryRun: true,
        });
        expect(dry.log).not.toContain(token);
        for (const flag of [
          '--target runtime',
          '--no-cache',
          '--secret id=token,env=LUCID_E2E_TOKEN',
          '--build-context extra=apps/opts/extra',
        ])
          expect(dry.log).toContain(flag);
      } finally {
        delete process.env.LUCID_E2E_TOKEN;
      }
    },
  );
});
