import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readPushSource } from '../registry/push';
import { BasePull, ManifestReader, slimLayout } from '../image-build/slim';
import { baseMountSources, BlobFetcher, materialiseLayout, openSourcedLayout, prepareForPush } from './blob-source';
import { BlobStore } from './blob-store';
import { EXTERNAL_BLOBS_FILE, readExternalBlobs } from './external-blobs';
import { OciLayout } from './layout';
import { OciLayoutWriter } from './layout-writer';
import { MediaType } from './media-types';
import { Descriptor } from './types';

const PLATFORMS = [['linux', 'amd64'], ['linux', 'arm64']];

/** A base (one shared layer per platform) and a service built on it (one own layer per platform). */
function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-blobsrc-'));
  const baseLayers = PLATFORMS.map(() => randomBytes(2048));
  const base = new OciLayoutWriter(join(dir, 'base'));
  const service = new OciLayoutWriter(join(dir, 'ws', 'dist', 'oci'));
  const baseEntries: Descriptor[] = [];
  const serviceEntries: Descriptor[] = [];
  const own: string[] = [];
  PLATFORMS.forEach(([os, architecture], i) => {
    const platform = { os, architecture };
    const baseLayer = base.putBlob(baseLayers[i], MediaType.ociLayerGzip);
    const baseConfig = base.putJson({ architecture, os, rootfs: { type: 'layers', diff_ids: [] } }, MediaType.ociConfig);
    baseEntries.push({ ...base.putJson({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: baseConfig, layers: [baseLayer] }, MediaType.ociManifest), platform });
    const sharedInService = service.putBlob(baseLayers[i], MediaType.ociLayerGzip);
    const ownLayer = service.putBlob(randomBytes(512), MediaType.ociLayerGzip);
    own.push(ownLayer.digest);
    const config = service.putJson({ architecture, os, config: { User: '65532' }, rootfs: { type: 'layers', diff_ids: [] } }, MediaType.ociConfig);
    serviceEntries.push({ ...service.putJson({ schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [sharedInService, ownLayer] }, MediaType.ociManifest), platform });
  });
  const baseIndex = base.putJson({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: baseEntries }, MediaType.ociIndex);
  service.writeTopIndex([service.putJson({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: serviceEntries }, MediaType.ociIndex)]);
  const baseLayout = new OciLayout(join(dir, 'base'));
  const reader: ManifestReader = async (registry, repository, digest) => {
    expect([registry, repository]).toEqual(['mirror.test:5000', 'gcr.io/distroless/base']);
    return baseLayout.readBlob(digest);
  };
  const pull: BasePull = { ref: 'gcr.io/distroless/base:nonroot', pullRef: 'mirror.test:5000/gcr.io/distroless/base:nonroot', digest: baseIndex.digest, insecure: true };
  const fetched: string[] = [];
  const fetcher: BlobFetcher = async (source, digest) => {
    fetched.push(`${source.registry}/${source.repository}@${digest}`);
    return baseLayout.readBlob(digest);
  };
  return { dir, root: join(dir, 'ws'), layoutDir: join(dir, 'ws', 'dist', 'oci'), baseLayers, own, reader, pull, fetcher, fetched };
}

let f: ReturnType<typeof fixture>;
let store: BlobStore;
beforeEach(async () => {
  f = fixture();
  store = new BlobStore(join(f.dir, 'store'));
  await slimLayout(f.layoutDir, f.pull, store, () => undefined, f.reader);
});
afterEach(() => rmSync(f.dir, { recursive: true, force: true }));
const env = () => ({ LUCID_BLOB_STORE: store.dir });

describe('slim build output', () => {
  it('keeps only what the service adds; base layers are listed with their source and kept once in the store', () => {
    const external = readExternalBlobs(f.layoutDir)!;
    expect(external.source).toEqual({ ref: f.pull.ref, registry: 'mirror.test:5000', repository: 'gcr.io/distroless/base', digest: f.pull.digest, insecure: true });
    expect(external.blobs).toHaveLength(2);
    for (const b of external.blobs) {
      expect(new OciLayout(f.layoutDir).hasBlob(b.digest)).toBe(false);
      expect(store.has(b.digest)).toBe(true);
    }
    for (const d of f.own) expect(new OciLayout(f.layoutDir).hasBlob(d)).toBe(true);
  });

  it('push reads it exactly as a full layout: every blob listed, base bytes from the store', () => {
    const layout = openSourcedLayout(f.layoutDir, f.root, env());
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
    await expect(layout.ensureLocal(async () => Buffer.from('not the layer'))).rejects.toThrow(/refusing to store blob/);
    const digest = readExternalBlobs(f.layoutDir)!.blobs[0].digest;
    writeFileSync(store.path(digest), 'damaged');
    expect(() => store.read(digest)).toThrow(/was corrupt/);
    expect(store.has(digest)).toBe(false);
  });

  it('materialises a complete layout (hard links) for tools that read a directory', async () => {
    const layout = openSourcedLayout(f.layoutDir, f.root, env());
    const dir = await materialiseLayout(layout, join(f.dir, 'full'), f.fetcher);
    const full = OciLayout.open(dir);
    expect(existsSync(join(dir, EXTERNAL_BLOBS_FILE))).toBe(false);
    expect(readdirSync(join(dir, 'blobs', 'sha256'))).toHaveLength(readdirSync(join(f.layoutDir, 'blobs', 'sha256')).length + 2);
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
      const r = await slimLayout(g.layoutDir, g.pull, new BlobStore(join(g.dir, 'store')), (l) => lines.push(l), async () => {
        throw new Error('connection refused');
      });
      expect(r).toBeUndefined();
      expect(existsSync(join(g.layoutDir, EXTERNAL_BLOBS_FILE))).toBe(false);
      expect(readPushSource(OciLayout.open(g.layoutDir)).blobs).toHaveLength(6);
      expect(lines.join('\n')).toMatch(/keeps its base layers/);
    } finally {
      rmSync(g.dir, { recursive: true, force: true });
    }
  });
});
