/*
 * container-build --dry-run plans without the network and without the engine: no registry answers (the base's
 * mirror is a closed port) and no engine is on PATH, yet it prints the plan and names what it could not resolve.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineName } from '../config/options';
import { BuildRequest, prepareBuild } from './build';
import { dryRunReport } from './dry-run';

describe('container-build --dry-run offline, engine not installed', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'lucid-dry-run-'));
    mkdirSync(join(root, 'apps/svc'), { recursive: true });
    writeFileSync(
      join(root, 'apps/svc/Dockerfile'),
      'ARG BASE_IMAGE=gcr.io/distroless/python3-debian12:nonroot\nFROM ${BASE_IMAGE}\nCOPY apps/svc/Dockerfile /d\n',
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const request = (engine: string, dryRun: boolean): BuildRequest => ({
    workspaceRoot: root,
    project: 'svc',
    projectRoot: 'apps/svc',
    tags: ['phase:1'],
    options: {
      outputPath: 'dist/containers/svc',
      dockerfile: 'apps/svc/Dockerfile',
      context: '.',
      registry: 'ghcr.io',
      repository: 'hamigames/lucid',
      platforms: ['linux/amd64', 'linux/arm64'],
      engine: engine as EngineName,
      buildCache: { type: 'none', mode: 'max' },
      buildArgs: {},
      phaseTagPrefix: 'phase:',
      dryRun,
      // Nothing listens on port 1: the base digest cannot be resolved, as offline.
      registryMirrors: { 'gcr.io': '127.0.0.1:1/mirror/gcr.io' },
      insecureRegistries: ['127.0.0.1:1'],
      attestations: { provenance: true, sbom: false },
    },
    env: { PATH: '/nonexistent' },
    log: () => undefined,
  });

  it.each(['buildx', 'auto'])(
    'engine %s: prints the buildx plan and says what it could not resolve',
    async (engine) => {
      const prepared = await prepareBuild(request(engine, true));
      const lines = dryRunReport('svc', root, 'dist/containers/svc', prepared);
      expect(lines[0]).toBe(`[dry-run] svc: would run (cwd ${root}):`);
      expect(lines.filter((l) => l.startsWith('docker buildx build --platform linux/'))).toHaveLength(2);
      // The base stays a tag reference, said so, instead of a made-up digest.
      expect(lines[1]).toContain(
        '--build-arg BASE_IMAGE=127.0.0.1:1/mirror/gcr.io/distroless/python3-debian12:nonroot',
      );
      expect(lines[1]).toContain('--provenance=mode=max --sbom=false');
      const unresolved = lines.filter((l) => l.startsWith('[dry-run] not resolved: '));
      expect(unresolved).toEqual([
        expect.stringMatching(
          engine === 'auto'
            ? /engine: auto found no usable build engine .*; planned for buildx \(what auto prefers\)$/
            : /engine buildx is not usable: docker is not installed.*; planned for buildx$/,
        ),
        expect.stringMatching(
          /base image 127\.0\.0\.1:1\/mirror\/gcr\.io\/distroless\/python3-debian12:nonroot could not be resolved to a digest .*the build passes it pinned as BASE_IMAGE 127\.0\.0\.1:1\/mirror\/gcr\.io\/distroless\/python3-debian12@<digest>, shown here by tag$/,
        ),
      ]);
      expect(lines[lines.length - 1]).toMatch(/nothing was built$/);
      expect(prepared.base).toEqual({ ref: 'gcr.io/distroless/python3-debian12:nonroot', digest: null });
      expect(readdirSync(root)).toEqual(['apps']);
    },
  );

  it('a real build still refuses both, before anything is built', async () => {
    await expect(prepareBuild(request('buildah', false))).rejects.toThrow(
      /engine buildah is not usable: buildah is not installed/,
    );
    const withEngine = { ...request('buildah', false), env: process.env };
    await expect(prepareBuild(withEngine)).rejects.toThrow(
      /base image 127\.0\.0\.1:1\/mirror\/gcr\.io\/distroless\/python3-debian12:nonroot could not be resolved to a digest/,
    );
  });

  it('buildah: prints the private registries.conf it would write and the secrets, target and contexts by name only', async () => {
    writeFileSync(
      join(root, 'apps/svc/Dockerfile.multi'),
      'FROM --platform=$BUILDPLATFORM python:3.11-slim AS builder\nRUN --mount=type=secret,id=token true\nFROM gcr.io/distroless/python3-debian12 AS runtime\nCOPY --from=builder /x /x\n',
    );
    const base = request('buildah', true);
    const prepared = await prepareBuild({
      ...base,
      env: { PATH: '/nonexistent', LUCID_TEST_TOKEN: 'a-secret-value' },
      options: {
        ...base.options,
        dockerfile: 'apps/svc/Dockerfile.multi',
        registryMirrors: { 'docker.io': '127.0.0.1:1/mirror/docker.io', 'gcr.io': '127.0.0.1:1/mirror/gcr.io' },
        target: 'runtime',
        secrets: [{ id: 'token', env: 'LUCID_TEST_TOKEN' }],
        buildContexts: { shared: 'libs/shared' },
        labels: { 'com.example.team': 'payments' },
        noCache: true,
      },
    });
    const lines = dryRunReport('svc', root, 'dist/containers/svc', prepared);
    const text = lines.join('\n');
    expect(text).not.toContain('a-secret-value');
    const conf = prepared.files[0].path;
    expect(lines[0]).toBe(`[dry-run] svc: would write ${conf} (CONTAINERS_REGISTRIES_CONF):`);
    expect(text).toContain('  unqualified-search-registries = ["docker.io"]');
    expect(text).toContain('  location = "127.0.0.1:1/mirror/docker.io"');
    const build = lines.find((l) => l.includes(' build --isolation chroot'))!;
    expect(build.startsWith(`CONTAINERS_REGISTRIES_CONF=${conf} buildah `)).toBe(true);
    for (const flag of [
      '--target runtime',
      '--no-cache',
      '--secret id=token,env=LUCID_TEST_TOKEN',
      '--build-context shared=libs/shared',
      '--label com.example.team=payments',
    ])
      expect(build).toContain(flag);
    expect(readdirSync(root)).toEqual(['apps']);
  });
});
