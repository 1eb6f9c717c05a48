import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readPushSource } from '../push/push';
import { AssembledIndex, assembleLayout } from '../build/assemble';
import { BasePull, BaseReader, layoutBaseReader, slimLayout } from '../build/slim';
import { sha256Digest } from '../oci/digest';
import { gzipSync } from 'node:zlib';
import { baseMountSources, BlobFetcher, materialiseLayout, openSourcedLayout, prepareForPush } from './blob-source';
import { BlobStore } from '../oci/blob-store';
import { EXTERNAL_BLOBS_FILE, readExternalBlobs } from '../oci/external-blobs';
import { OciLayout } from '../oci/layout';
import { OciLayoutWriter } from '../oci/layout-writer';
import { MediaType } from '../oci/media-types';
import { Descriptor } from '../oci/types';

const PLATFORMS = [
  ['linux', 'amd64'],
  ['linux', 'arm64'],
];

/**
 * A base (one layer per platform, in a local layout standing in for its registry) and an engine output built on
 * it: the engine recompressed the base layer (other bytes, same diff_id) and added one layer of its own.
 */
function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-blobsrc-'));
  const base = new OciLayoutWriter(join(dir, 'base'));
  const staging = new OciLayoutWriter(join(dir, 'staging'));
  const baseEntries: Descriptor[] = [];
  const stagingEntries: Descriptor[] = [];
  const own: string[] = [];
  const baseLayerDigests: string[] = [];
  const recompressed: string[] = [];
  PLATFORMS.forEach(([os, architecture]) => {
    const platform = { os, architecture };
    const baseTar = randomBytes(4096);
    const ownTar = randomBytes(512);
    const baseLayer = base.putBlob(gzipSync(baseTar, { level: 9 }), MediaType.dockerLayerGzip);
    baseLayerDigests.push(baseLayer.digest);
    const baseConfig = base.putJson(
      { architecture, os, rootfs: { type: 'layers', diff_ids: [sha256Digest(baseTar)] } },
      MediaType.ociConfig,
    );
    baseEntries.push({
      ...base.putJson(
        { schemaVersion: 2, mediaType: MediaType.ociManifest, config: baseConfig, layers: [baseLayer] },
        MediaType.ociManifest,
      ),
      platform,
    });
    const copy = staging.putBlob(gzipSync(baseTar, { level: 1 }), MediaType.ociLayerGzip);
    recompressed.push(copy.digest);
    const ownLayer = staging.putBlob(gzipSync(ownTar), MediaType.ociLayerGzip);
    own.push(ownLayer.digest);
    const config = staging.putJson(
      {
        architecture,
        os,
        config: { User: '65532' },
        rootfs: { type: 'layers', diff_ids: [sha256Digest(baseTar), sha256Digest(ownTar)] },
      },
      MediaType.ociConfig,
    );
    stagingEntries.push({
      ...staging.putJson(
        { schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [copy, ownLayer] },
        MediaType.ociManifest,
      ),
      platform,
    });
  });
  const baseIndex = base.putJson(
    { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: baseEntries },
    MediaType.ociIndex,
  );
  staging.writeTopIndex([
    staging.putJson({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: stagingEntries }, MediaType.ociIndex),
  ]);
  const layoutDir = join(dir, 'ws', 'dist', 'oci');
  const assembled = assembleLayout(
    [{ layoutDir: join(dir, 'staging'), platforms: ['linux/amd64', 'linux/arm64'] }],
    layoutDir,
    {},
    '1.0.0',
  );
  const baseLayout = new OciLayout(join(dir, 'base'));
  const read = layoutBaseReader(join(dir, 'base'));
  const reader: BaseReader = async (registry, repository, digest, insecure, config) => {
    expect([registry, repository]).toEqual(['mirror.test:5000', 'gcr.io/distroless/base']);
    return read(registry, repository, digest, insecure, config);
  };
  const pull: BasePull = {
    ref: 'gcr.io/distroless/base:nonroot',
    pullRef: 'mirror.test:5000/gcr.io/distroless/base:nonroot',
    digest: baseIndex.digest,
    insecure: true,
  };
  const fetched: string[] = [];
  const fetcher: BlobFetcher = async (source, digest) => {
    fetched.push(`${source.registry}/${source.repository}@${digest}`);
    return baseLayout.readBlob(digest);
  };
  return {
    dir,
    root: join(dir, 'ws'),
    layoutDir,
    assembled,
    baseLayerDigests,
    recompressed,
    own,
    reader,
    pull,
    fetcher,
    fetched,
  };
}

let f: ReturnType<typeof fixture>;
let store: BlobStore;
let slim: AssembledIndex;
beforeEach(async () => {
  f = fixture();
  store = new BlobStore(join(f.dir, 'store'));
  slim = await slimLayout(f.layoutDir, f.assembled, f.pull, store, () => undefined, f.reader);
});
afterEach(() => rmSync(f.dir, { recursive: true, force: true }));
const env = () => ({ LUCID_BLOB_STORE: store.dir });

describe('slim build output', () => {
  it("references the base's own layers instead of the engine's recompressed copies, and keeps only what the service adds", () => {
    const external = readExternalBlobs(f.layoutDir)!;
    expect(external.source).toEqual({
      ref: f.pull.ref,
      registry: 'mirror.test:5000',
      repository: 'gcr.io/distroless/base',
      digest: f.pull.digest,
      insecure: true,
    });
    expect(external.blobs.map((b) => b.digest).sort()).toEqual([...f.baseLayerDigests].sort());
    expect(external.blobs.every((b) => b.mediaType === MediaType.ociLayerGzip)).toBe(true);
    expect(slim.index.digest).not.toBe(f.assembled.index.digest);
    expect(slim.platforms.map((p) => p.manifest.layers[0].digest)).toEqual(f.baseLayerDigests);
    const out = new OciLayout(f.layoutDir);
    expect(out.imageIndexDescriptor()).toMatchObject({
      digest: slim.index.digest,
      annotations: { 'org.opencontainers.image.ref.name': '1.0.0' },
    });
    for (const d of [...f.baseLayerDigests, ...f.recompressed, f.assembled.index.digest])
      expect(out.hasBlob(d)).toBe(false);
    for (const d of f.own) expect(out.hasBlob(d)).toBe(true);
    // Base layers are fetched on demand, not at build time; the base's manifests and configs are cached.
    for (const d of f.baseLayerDigests) expect(store.has(d)).toBe(false);
  });

  it('push reads it exactly as a full layout: every blob listed, base bytes from the store', async () => {
    const layout = openSourcedLayout(f.layoutDir, f.root, env());
    await layout.ensureLocal(f.fetcher);
    const source = readPushSource(layout);
    expect(source.blobs).toHaveLength(6);
    for (const b of source.blobs) expect(layout.readBlob(b.digest).length).toBe(b.size);
  });

  it('a cache entry restored where the store is empty fetches the base layers from their source, checked', async () => {
    const layout = openSourcedLayout(f.layoutDir, f.root, { LUCID_BLOB_STORE: join(f.dir, 'empty-store') });
    expect(layout.missing()).toHaveLength(2);
    expect(() => layout.readBlob(layout.missing()[0])).toThrow(/neither in .* nor in the blob store/);
    await layout.ensureLocal(f.fetcher);
    expect(f.fetched.every((x) => x.startsWith('mirror.test:5000/gcr.io/distroless/base@sha256:'))).toBe(true);
    expect(layout.missing()).toEqual([]);
    expect(readPushSource(layout).blobs.every((b) => layout.readBlob(b.digest).length === b.size)).toBe(true);
  });

  it('refuses fetched bytes that do not match the digest, and a corrupt store blob', async () => {
    const layout = openSourcedLayout(f.layoutDir, f.root, { LUCID_BLOB_STORE: join(f.dir, 'empty-store') });
    await expect(layout.ensureLocal(async () => Buffer.from('not the layer'))).rejects.toThrow(
      /refusing to store blob/,
    );
    const digest = readExternalBlobs(f.layoutDir)!.blobs[0].digest;
    store.put(digest, await f.fetcher(readExternalBlobs(f.layoutDir)!.source, digest));
    writeFileSync(store.path(digest), 'damaged');
    expect(() => store.read(digest)).toThrow(/was corrupt/);
    expect(store.has(digest)).toBe(false);
  });

  it('materialises a complete layout (hard links) for tools that read a directory', async () => {
    const layout = openSourcedLayout(f.layoutDir, f.root, env());
    const dir = await materialiseLayout(layout, join(f.dir, 'full'), f.fetcher);
    const full = OciLayout.open(dir);
    expect(existsSync(join(dir, EXTERNAL_BLOBS_FILE))).toBe(false);
    expect(readdirSync(join(dir, 'blobs', 'sha256'))).toHaveLength(
      readdirSync(join(f.layoutDir, 'blobs', 'sha256')).length + 2,
    );
    for (const b of readPushSource(full).blobs) expect(full.readBlob(b.digest).length).toBe(b.size);
  });

  it('push mounts base blobs from the base repository on the same registry, else fetches them to upload', async () => {
    const emptyStore = { LUCID_BLOB_STORE: join(f.dir, 'empty-store') };
    const same = openSourcedLayout(f.layoutDir, f.root, emptyStore);
    expect(baseMountSources(same, 'mirror.test:5000')).toEqual(['gcr.io/distroless/base']);
    expect(await prepareForPush(same, 'mirror.test:5000', f.fetcher)).toEqual({ fetched: 0, bytes: 0 });
    const other = openSourcedLayout(f.layoutDir, f.root, emptyStore);
    expect(baseMountSources(other, 'ghcr.io')).toEqual([]);
    expect((await prepareForPush(other, 'ghcr.io', f.fetcher)).fetched).toBe(2);
  });

  it('leaves the output complete when the base cannot be read', async () => {
    const g = fixture();
    try {
      const lines: string[] = [];
      const r = await slimLayout(
        g.layoutDir,
        g.assembled,
        g.pull,
        new BlobStore(join(g.dir, 'store')),
        (l) => lines.push(l),
        async () => {
          throw new Error('connection refused');
        },
      );
      expect(r).toBe(g.assembled);
      expect(existsSync(join(g.layoutDir, EXTERNAL_BLOBS_FILE))).toBe(false);
      expect(readPushSource(OciLayout.open(g.layoutDir)).blobs).toHaveLength(6);
      expect(lines.join('\n')).toMatch(/keeps its base layers/);
    } finally {
      rmSync(g.dir, { recursive: true, force: true });
    }
  });
});
