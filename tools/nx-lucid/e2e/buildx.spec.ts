/*
 * Real: buildkitd (../shared/tools/buildkit; skipped without it) on a free loopback port behind a remote-driver buildx builder, a real
 * registry (base image, dockerfile frontend through a docker.io mirror, BuildKit's registry cache), and
 * `nx run <svc>:container-build` with LUCID_ENGINE=buildx in a throwaway workspace. skopeo reads the result back.
 * Fresh BuildKit state = a cold build: same image manifests, and with attestations off the same index digest.
 */
import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../src/boundary/process';
import buildExecutor from '../src/nx/executors/build/executor';
import { runPush } from '../src/nx/executors/push/executor';
import { runRelease } from '../src/nx/executors/release/executor';
import verifyExecutor from '../src/nx/executors/verify/executor';
import { BuildMetadata, parseBuildMetadata } from '../src/artifacts/metadata';
import { sha256Digest } from '../src/oci/digest';
import { pushTestBase, PushedBase } from './support/base-image';
import { BUILDKIT_SOURCE, startBuildkit, TestBuildkit } from './support/buildkit';
import { buildkitRequirement, describeWhenAvailable } from './support/external-requirements';
import { executorContext, findIncompleteTags, skopeoInspectLayout } from './support/registry-check';
import { startRegistry, TestRegistry } from './support/registry';
import { createWorkspace, ThrowawayWorkspace } from './support/workspace';

const SVC = 'svc-kit';
const REPOSITORY = 'hamigames/lucid';
const BROKEN = 'svc-broken';
const SLSA = 'https://slsa.dev/provenance/v0.2';
/** Hang guards, not budgets: a loaded 2-core machine builds slowly. */
const HANG_GUARD = 600000;
jest.setTimeout(HANG_GUARD);

const service = (name: string, extraStage = '') => ({
  [`apps/${name}/project.json`]: JSON.stringify({ name, tags: ['type:service', 'phase:3'] }),
  [`apps/${name}/pyproject.toml`]: `[project]\nname = "${name}"\nversion = "0.3.0"\ndescription = "Fixture ${name}"\n`,
  [`apps/${name}/src/main.py`]: `print("${name}")\n`,
  [`apps/${name}/Dockerfile`]: [
    '# syntax=docker/dockerfile:1',
    'ARG BASE_IMAGE=gcr.io/lucid-test/base:1',
    extraStage,
    'FROM scratch AS assemble',
    `COPY apps/${name}/pyproject.toml apps/${name}/src/ /app/`,
    'FROM ${BASE_IMAGE}',
    'COPY --from=assemble /app /app',
    ...(extraStage ? ['COPY --from=tools /x /x'] : []),
    'USER 65532:65532',
    'ENTRYPOINT ["python3", "/app/main.py"]',
    '',
  ].join('\n'),
});

const describeWithBuildkit = describeWhenAvailable([buildkitRequirement(BUILDKIT_SOURCE)]);

describeWithBuildkit('container-build with buildx against real BuildKit, through Nx', () => {
  let registry: TestRegistry;
  let buildkit: TestBuildkit;
  let base: PushedBase;
  let ws: ThrowawayWorkspace;
  let first: BuildMetadata;
  let firstLog: string;

  const metadata = () =>
    parseBuildMetadata(JSON.parse(readFileSync(join(ws.root, 'dist/containers', SVC, 'metadata.json'), 'utf8')));
  const buildEnv = (env: Record<string, string>) => ({
    ...buildkit.env,
    LUCID_ENGINE: 'buildx',
    LUCID_REGISTRY: registry.host,
    LUCID_REPOSITORY: REPOSITORY,
    LUCID_REGISTRY_MIRRORS: `gcr.io=${registry.host}/mirror/gcr.io`,
    LUCID_INSECURE_REGISTRIES: registry.host,
    // BuildKit's SBOM scanner image (docker.io/docker/buildkit-syft-scanner) cannot be pulled here.
    LUCID_ATTESTATIONS: 'provenance',
    ...env,
  });
  /** Through the real Nx CLI, as CI runs it. */
  const nxBuild = async (env: Record<string, string> = {}) => {
    const r = await ws.nx(['run', `${SVC}:container-build`, '--outputStyle=static'], buildEnv(env));
    const output = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
    if (r.exitCode !== 0) throw new Error(`nx run ${SVC}:container-build failed (${r.exitCode}):\n${output}`);
    return { output, metadata: metadata() };
  };
  /** The same executor in this process (no Nx start-up per build: the CI budget), its environment set as Nx would. */
  const executorBuild = async (project: string, env: Record<string, string> = {}) => {
    const saved = { ...process.env };
    const lines: string[] = [];
    Object.assign(process.env, buildEnv(env));
    jest.spyOn(logger, 'info').mockImplementation((m) => void lines.push(String(m)));
    jest.spyOn(logger, 'error').mockImplementation((m) => void lines.push(String(m)));
    // The engine's progress (BuildKit's step log) is streamed to our stdout/stderr: keep it for the assertions.
    for (const stream of [process.stdout, process.stderr]) {
      jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    }
    try {
      const ctx = {
        root: ws.root,
        cwd: ws.root,
        isVerbose: false,
        projectName: project,
        projectsConfigurations: { version: 2, projects: { [project]: { root: `apps/${project}`, tags: ['phase:3'] } } },
      };
      const result = await buildExecutor(
        { outputPath: `dist/containers/${project}`, dockerfile: `apps/${project}/Dockerfile` },
        ctx as unknown as ExecutorContext,
      );
      return { ...result, log: lines.join('\n').replace(/\n{2,}/g, '\n') };
    } finally {
      jest.restoreAllMocks();
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  };
  const buildOk = async (env: Record<string, string> = {}) => {
    const r = await executorBuild(SVC, env);
    if (!r.success) throw new Error(`container-build ${SVC} failed:\n${r.log}`);
    return { output: r.log, metadata: metadata() };
  };
  const verify = async () => {
    const lines: string[] = [];
    jest.spyOn(logger, 'info').mockImplementation((m) => void lines.push(String(m)));
    jest.spyOn(logger, 'error').mockImplementation((m) => void lines.push(String(m)));
    try {
      const ctx = {
        root: ws.root,
        cwd: ws.root,
        isVerbose: false,
        projectName: SVC,
        projectsConfigurations: { version: 2, projects: { [SVC]: { root: `apps/${SVC}` } } },
      };
      const result = await verifyExecutor(
        { outputPath: `dist/containers/${SVC}`, repository: 'hamigames/lucid' },
        ctx as unknown as ExecutorContext,
      );
      return { ...result, log: lines.join('\n') };
    } finally {
      jest.restoreAllMocks();
    }
  };
  const layoutBlob = (digest: string) =>
    JSON.parse(readFileSync(join(ws.root, 'dist/containers', SVC, 'oci/blobs/sha256', digest.slice(7)), 'utf8'));

  beforeAll(async () => {
    registry = await startRegistry();
    buildkit = await startBuildkit(registry);
    base = await pushTestBase(registry.host, 'mirror/gcr.io/lucid-test/base', '1');
    ws = await createWorkspace({
      files: {
        ...service(SVC),
        // A stage whose image BuildKit cannot find: only BuildKit can tell (the planner resolves the final base only).
        ...service(BROKEN, 'FROM 127.0.0.1:1/e2e/missing:1 AS tools'),
      },
    });
    ({ metadata: first, output: firstLog } = await nxBuild({ LUCID_BUILD_CACHE: 'registry' }));
  }, HANG_GUARD);
  afterAll(async () => {
    await buildkit?.stop();
    await registry?.stop();
    ws?.dispose();
  }, HANG_GUARD);

  it('builds a two-platform index to the OCI layout and metadata.json contract, with provenance per platform', () => {
    expect(firstLog).toMatch(/engine: buildx \(buildx 0\.28\.0\)/);
    expect(first).toMatchObject({
      project: SVC,
      phase: 3,
      image: `${registry.host}/${REPOSITORY}/${SVC}`,
      version: '0.3.0',
      engine: { name: 'buildx', version: '0.28.0' },
    });
    expect(first.base).toEqual({ ref: 'gcr.io/lucid-test/base:1', digest: base.digest });
    expect(first.manifests.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
    const index = layoutBlob(first.index.digest);
    expect(
      index.manifests.map(
        (m: { platform: { os: string; architecture: string } }) => `${m.platform.os}/${m.platform.architecture}`,
      ),
    ).toEqual(['linux/amd64', 'linux/arm64', 'unknown/unknown', 'unknown/unknown']);
    // One attestation manifest per platform, naming that platform's manifest, holding SLSA provenance.
    expect(index.manifests.slice(2).map((m: { annotations: Record<string, string> }) => m.annotations)).toEqual(
      first.manifests.map((m) => ({
        'vnd.docker.reference.digest': m.digest,
        'vnd.docker.reference.type': 'attestation-manifest',
      })),
    );
    expect(first.attestations).toMatchObject({ provenance: true, sbom: false });
    expect(first.attestations.manifests.map((a) => [a.platform, a.subject, a.predicateTypes])).toEqual(
      first.manifests.map((m) => [`linux/${m.platform.architecture}`, m.digest, [SLSA]]),
    );
    for (const a of first.attestations.manifests) {
      const layer = layoutBlob(a.digest).layers[0];
      const statement = layoutBlob(layer.digest);
      expect(statement.predicateType).toBe(SLSA);
      expect(statement.predicate.buildType).toBe('https://mobyproject.org/buildkit@v1');
      // The materials name the base image pulled for this very platform.
      const arch = a.platform.split('/')[1];
      const baseMaterial = statement.predicate.materials.find((m: { uri: string }) =>
        m.uri.includes('lucid-test/base'),
      );
      expect(baseMaterial.uri).toMatch(new RegExp(`platform=linux(%2F|/)${arch}$`));
      expect(baseMaterial.digest.sha256).toBe(base.digest.slice(7));
    }
    expect(firstLog).toMatch(/attestations: provenance \(2 manifest\(s\)\)/);
  });

  it('skopeo agrees with metadata.json on the index, the platforms and their layers', async () => {
    const layout = join(ws.root, 'dist/containers', SVC, 'oci');
    const raw = (await runProcess('skopeo', ['inspect', '--raw', `oci:${layout}`])).stdout;
    expect(sha256Digest(Buffer.from(raw))).toBe(first.index.digest);
    for (const m of first.manifests) {
      const info = await skopeoInspectLayout(layout, m.platform.architecture);
      expect(info.Architecture).toBe(m.platform.architecture);
      expect(info.Layers).toEqual(layoutBlob(m.digest).layers.map((l: { digest: string }) => l.digest));
      expect(info.Labels).toMatchObject(first.labels);
    }
  });

  it('container-verify passes on the buildx image with its attestation manifests', async () => {
    const result = await verify();
    expect(result.success).toBe(true);
    expect(result.log).toMatch(/Verifying \S+ \(linux\/amd64, linux\/arm64\)/);
  });

  it('push keeps the attestation manifests; create and promote keep the index byte for byte; list shows them', async () => {
    const env = { GITHUB_SHA: undefined, GITHUB_REF_NAME: undefined, GHCR_TOKEN: undefined, GITHUB_TOKEN: undefined };
    const ctx = executorContext(ws.root, SVC, { tags: ['type:service', 'phase:3'] });
    const target = { registry: registry.host, repository: REPOSITORY };
    const pushed = await runPush(
      // Released as its pyproject version (v0.3.0), which create then versions again as v1.0.0.
      {
        outputPath: `dist/containers/${SVC}`,
        ...target,
        sha: 'a'.repeat(40),
        latest: 'never',
        releaseVersion: '0.3.0',
      },
      ctx,
      { env, log: () => undefined },
    );
    expect(pushed.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    const lines: string[] = [];
    const release = (o: Record<string, unknown>) =>
      runRelease({ ...target, ...o }, ctx, { env, log: (l) => lines.push(l) });
    await release({ action: 'create', version: 'v1.0.0', from: 'v0.3.0' });
    await release({ action: 'promote', version: 'v1.0.0' });
    const built = readFileSync(
      join(ws.root, 'dist/containers', SVC, 'oci/blobs/sha256', first.index.digest.slice(7)),
      'utf8',
    );
    for (const tag of ['v0.3.0', 'v1.0.0', 'latest']) {
      const raw = (
        await runProcess('skopeo', [
          'inspect',
          '--raw',
          '--tls-verify=false',
          `docker://${registry.host}/${REPOSITORY}/${SVC}:${tag}`,
        ])
      ).stdout;
      expect(raw).toBe(built);
    }
    // Every manifest and blob the tags reach is there, the attestations' in-toto layers included.
    expect(await findIncompleteTags(registry.url)).toEqual([]);
    const listed = await release({ action: 'list' });
    expect(listed.versions?.find((v) => v.tag === 'v1.0.0')?.contents).toEqual({
      platforms: ['linux/amd64', 'linux/arm64'],
      attestations: 2,
    });
    expect(lines.join('\n')).toMatch(
      /\* v1\.0\.0 +sha256:\w+ {2}linux\/amd64, linux\/arm64; 2 attestation manifest\(s\)/,
    );
  });

  it('exported the BuildKit registry cache, and a cold BuildKit imports it: same image manifests', async () => {
    expect(firstLog).toMatch(/exporting cache to registry/);
    for (const slug of ['linux-amd64', 'linux-arm64']) {
      const r = await fetch(`${registry.url}/v2/${REPOSITORY}/${SVC}-buildcache/manifests/${slug}`, {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      expect(r.status).toBe(200);
      // BuildKit's cache image manifest: its config is the cache graph, its layers the build's layers.
      const cache = (await r.json()) as { config: { mediaType: string }; layers: unknown[] };
      expect(cache.config.mediaType).toBe('application/vnd.buildkit.cacheconfig.v0');
      expect(cache.layers.length).toBeGreaterThan(0);
    }
    await buildkit.restartFresh();
    const { output, metadata: again } = await buildOk({ LUCID_BUILD_CACHE: 'registry' });
    // On a miss BuildKit prints the import step inside an error block; a hit says which manifest type it read.
    for (const slug of ['linux-amd64', 'linux-arm64']) {
      const ref = `${registry.host}/${REPOSITORY}/${SVC}-buildcache:${slug}`.replace(/[./]/g, (c) => `\\${c}`);
      expect(output).toMatch(
        new RegExp(
          `#(\\d+) importing cache manifest from ${ref}\\n#\\1 inferred cache manifest type: application/vnd\\.oci\\.image\\.manifest\\.v1\\+json done`,
        ),
      );
    }
    expect(output).toMatch(/COPY apps\/svc-kit\/pyproject\.toml .*\n#\d+ CACHED/);
    expect(again.manifests.map((m) => m.digest)).toEqual(first.manifests.map((m) => m.digest));
  });

  it('two cold builds give the same index digest (attestations off); provenance changes only the attestations', async () => {
    await buildkit.restartFresh();
    const a = (await buildOk({ LUCID_ATTESTATIONS: 'none' })).metadata;
    await buildkit.restartFresh();
    const b = (await buildOk({ LUCID_ATTESTATIONS: 'none' })).metadata;
    expect(b.index.digest).toBe(a.index.digest);
    expect(a.attestations).toEqual({ provenance: false, sbom: false, manifests: [] });
    expect(layoutBlob(b.index.digest).manifests).toHaveLength(2);
    // The images themselves do not depend on attestations, the cache or the BuildKit state.
    expect(a.manifests.map((m) => m.digest)).toEqual(first.manifests.map((m) => m.digest));
  });

  it('a failed build says what BuildKit said, not just the exit code', async () => {
    const r = await executorBuild(BROKEN, { LUCID_PLATFORMS: 'linux/amd64' });
    expect(r.success).toBe(false);
    expect(r.log).toMatch(/buildx build linux\/amd64 failed: BuildKit: ERROR: .*127\.0\.0\.1:1.*missing/);
  });

  it('a buildah build of the same service passes container-verify too', async () => {
    const { metadata: buildah } = await buildOk({ LUCID_ENGINE: 'buildah' });
    expect(buildah.engine.name).toBe('buildah');
    expect(buildah.attestations.manifests).toEqual([]);
    const result = await verify();
    expect(result.success).toBe(true);
  });
});
