/*
 * Real: buildah builds two fixture services FROM a two-platform base in a registry (the "mirror"). The build output
 * keeps only what each service adds; the base layers live once in the workspace's blob store. With that store
 * emptied (a cache entry restored on a machine that never saw the base), verify and a push to another registry
 * fetch them from the mirror; a push to the mirror's own registry mounts them from the base repository.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runPush } from '../src/nx/executors/push/executor';
import verifyExecutor from '../src/nx/executors/verify/executor';
import { parseBuildMetadata } from '../src/artifacts/metadata';
import { readExternalBlobs } from '../src/oci/external-blobs';
import { pushTestBase, PushedBase } from './support/base-image';
import { startRegistry, TestRegistry } from './support/registry';
import { executorContext, findIncompleteTags, skopeoManifest } from './support/registry-check';
import { createWorkspace, ThrowawayWorkspace } from './support/workspace';

const SERVICES = ['svc-alpha', 'svc-beta'];
const SHA = 'a'.repeat(40);

const fixture = (name: string): Record<string, string> => ({
  [`apps/${name}/project.json`]: JSON.stringify({ name, tags: ['type:service', 'phase:1'] }),
  [`apps/${name}/pyproject.toml`]: `[project]\nname = "${name}"\nversion = "0.1.0"\ndescription = "Fixture ${name}"\n`,
  [`apps/${name}/src/main.py`]: `print("${name}")\n`,
  [`apps/${name}/Dockerfile`]: `ARG BASE_IMAGE=gcr.io/lucid-test/base:1\nFROM \${BASE_IMAGE}\nCOPY apps/${name}/src/ /app/\nUSER 65532:65532\n`,
});

const dirBytes = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size),
    0,
  );

describe('slim build outputs with a shared blob store (real buildah, real registries)', () => {
  let mirror: TestRegistry;
  let other: TestRegistry;
  let base: PushedBase;
  let ws: ThrowawayWorkspace;
  let baseLayers: string[];
  const out = (s: string) => join(ws.root, 'dist/containers', s);

  beforeAll(async () => {
    [mirror, other] = await Promise.all([startRegistry(), startRegistry()]);
    base = await pushTestBase(mirror.host, 'mirror/gcr.io/lucid-test/base', '1', 'slim');
    baseLayers = [];
    for (const m of (await skopeoManifest(mirror.host, `mirror/gcr.io/lucid-test/base@${base.digest}`)).manifest
      .manifests ?? []) {
      const child = (await skopeoManifest(mirror.host, `mirror/gcr.io/lucid-test/base@${m.digest}`))
        .manifest as unknown as { layers: Array<{ digest: string }> };
      baseLayers.push(...child.layers.map((l) => l.digest));
    }
    ws = await createWorkspace({ files: Object.assign({}, ...SERVICES.map(fixture)) });
    const r = await ws.nx(['run-many', '-t', 'container-build', '--parallel=2', '--outputStyle=static'], {
      NX_SKIP_NX_CACHE: 'false',
      NX_CACHE_DIRECTORY: join(ws.root, 'nx-cache'),
      LUCID_ENGINE: 'buildah',
      LUCID_REGISTRY_MIRRORS: `gcr.io=${mirror.host}/mirror/gcr.io`,
      LUCID_INSECURE_REGISTRIES: mirror.host,
    });
    if (r.exitCode !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
  });
  afterAll(async () => {
    await Promise.all([mirror?.stop(), other?.stop()]);
    ws?.dispose();
  });

  it("the output and the Nx cache entry hold only what the service adds; the manifests name the base's own layers", () => {
    for (const s of SERVICES) {
      const external = readExternalBlobs(join(out(s), 'oci'))!;
      expect(external.source).toMatchObject({
        ref: 'gcr.io/lucid-test/base:1',
        registry: mirror.host,
        repository: 'mirror/gcr.io/lucid-test/base',
        digest: base.digest,
      });
      expect(external.blobs).toHaveLength(2); // one base layer per platform
      const own = readdirSync(join(out(s), 'oci/blobs/sha256'));
      for (const b of external.blobs) expect(own).not.toContain(b.digest.slice(7));
      // Exactly the base's layers (not the engine's recompressed copies), so a push can mount them.
      expect(external.blobs.map((b) => b.digest).sort()).toEqual(baseLayers.slice().sort());
      const metadata = parseBuildMetadata(JSON.parse(readFileSync(join(out(s), 'metadata.json'), 'utf8')));
      // The output's blobs are the image's configs and layers minus the base's, plus its manifests and index.
      const externalBytes = external.blobs.reduce((n, b) => n + b.size, 0);
      const manifestBytes = metadata.manifests.reduce((n, m) => n + m.size, 0) + metadata.index.size;
      expect(dirBytes(join(out(s), 'oci/blobs'))).toBe(metadata.compressedSize - externalBytes + manifestBytes);
    }
    // The Nx cache holds the slim outputs: no base layer file in it.
    const cached = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? cached(join(dir, e.name)) : [e.name],
      );
    const baseHex = readExternalBlobs(join(out(SERVICES[0]), 'oci'))!.blobs.map((b) => b.digest.slice(7));
    const entries = cached(join(ws.root, 'nx-cache'));
    expect(entries.filter((n) => n === 'metadata.json')).toHaveLength(SERVICES.length);
    expect(entries.filter((n) => baseHex.includes(n))).toEqual([]);
  });

  it('with an empty store: verify fetches the base layers from the mirror and passes', async () => {
    rmSync(join(ws.root, '.lucid/blobs'), { recursive: true, force: true });
    for (const s of SERVICES) {
      const r = await verifyExecutor(
        {
          outputPath: `dist/containers/${s}`,
          repository: 'hamigames/lucid',
          platforms: ['linux/amd64', 'linux/arm64'],
        },
        { ...executorContext(ws.root, s), targetName: 'container-verify' },
      );
      expect(r.success).toBe(true);
    }
    expect(readdirSync(join(ws.root, '.lucid/blobs/sha256')).sort()).toEqual(baseLayers.map((d) => d.slice(7)).sort());
  });

  it('push to another registry fetches and uploads the base layers; push to the mirror registry mounts them', async () => {
    rmSync(join(ws.root, '.lucid/blobs'), { recursive: true, force: true });
    const env = { GITHUB_SHA: SHA };
    const toOther = await runPush(
      { outputPath: 'dist/containers/svc-alpha', registry: other.host, repository: 'hamigames/lucid' },
      executorContext(ws.root, 'svc-alpha'),
      { env, log: () => undefined },
    );
    expect(toOther.blobs.mounted).toBe(0);
    expect(toOther.blobs.uploaded).toBe(toOther.blobs.total);
    expect(await findIncompleteTags(other.url)).toEqual([]);

    rmSync(join(ws.root, '.lucid/blobs'), { recursive: true, force: true });
    const lines: string[] = [];
    const toMirror = await runPush(
      { outputPath: 'dist/containers/svc-beta', registry: mirror.host, repository: 'hamigames/lucid' },
      executorContext(ws.root, 'svc-beta'),
      { env, log: (l) => lines.push(l) },
    );
    const external = readExternalBlobs(join(out('svc-beta'), 'oci'))!;
    expect(toMirror.blobs.mounted).toBe(external.blobs.length);
    expect(toMirror.blobs.uploaded).toBe(toMirror.blobs.total - external.blobs.length);
    expect(lines.filter((l) => l.includes('mount from mirror/gcr.io/lucid-test/base'))).toHaveLength(
      external.blobs.length,
    );
    expect(await findIncompleteTags(mirror.url)).toEqual([]);
  });
});
