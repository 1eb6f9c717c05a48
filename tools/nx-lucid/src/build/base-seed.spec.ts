import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BlobStore } from '../oci/blob-store';
import { sha256Digest } from '../oci/digest';
import { OciLayoutWriter } from '../oci/layout-writer';
import { MediaType } from '../oci/media-types';
import { packLayer } from '../verify/testing/layer-builder';
import { baseLayerSeeds, plantSeeds } from './base-seed';
import { layoutBaseReader } from './slim';

describe('base seeding: the base’s uncompressed layers, made once in the blob store', () => {
  let dir: string;
  let gz: Buffer;
  let layerDigest: string;
  let baseDigest: string;
  const fetched: string[] = [];
  const fetch = async (_source: unknown, digest: string) => {
    fetched.push(digest);
    return readFileSync(join(dir, 'base/blobs/sha256', digest.slice(7)));
  };

  /** A one-platform base whose config names `diffId` (the true one unless a test lies). */
  async function writeBase(diffId?: (tar: Buffer) => string) {
    const writer = OciLayoutWriter.fresh(join(dir, 'base'));
    gz = await packLayer([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/base', content: 'base\n' },
    ]);
    const layer = writer.putBlob(gz, MediaType.ociLayerGzip);
    layerDigest = layer.digest;
    const tar = gunzipSync(gz);
    const config = writer.putJson(
      {
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [diffId ? diffId(tar) : sha256Digest(tar)] },
      },
      MediaType.ociConfig,
    );
    const manifest = writer.putJson(
      { schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [layer] },
      MediaType.ociManifest,
      { platform: { os: 'linux', architecture: 'amd64' } },
    );
    baseDigest = writer.putJson(
      { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [manifest] },
      MediaType.ociIndex,
    ).digest;
    return tar;
  }
  const base = () => ({
    ref: 'gcr.io/x/base:1',
    pullRef: 'mirror.test/gcr.io/x/base:1',
    digest: baseDigest,
    insecure: true,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lucid-base-seed-'));
    fetched.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fetches the compressed layer once, keeps it and its tar (by diff_id) in the store, then reuses them', async () => {
    const tar = await writeBase();
    const store = new BlobStore(join(dir, 'store'));
    const io = { read: layoutBaseReader(join(dir, 'base')), fetch };
    const seeds = await baseLayerSeeds(base(), ['linux/amd64', 'linux/arm64'], store, io);
    expect(seeds).toEqual([{ digest: sha256Digest(tar), file: store.path(sha256Digest(tar)) }]);
    expect(readFileSync(seeds[0].file)).toEqual(tar);
    expect(store.has(layerDigest)).toBe(true);
    expect(fetched).toEqual([layerDigest]);
    expect(await baseLayerSeeds(base(), ['linux/amd64'], store, io)).toEqual(seeds);
    expect(fetched).toHaveLength(1);
  });

  it('refuses a layer whose tar is not the diff_id the config names (nothing stored under that digest)', async () => {
    const lie = `sha256:${'0'.repeat(64)}`;
    await writeBase(() => lie);
    const store = new BlobStore(join(dir, 'store'));
    await expect(
      baseLayerSeeds(base(), ['linux/amd64'], store, { read: layoutBaseReader(join(dir, 'base')), fetch }),
    ).rejects.toThrow(/refusing to store blob sha256:0{64}/);
    expect(store.has(lie)).toBe(false);
  });

  it('plants the seeds into an otherwise empty OCI layout (linked, not copied)', async () => {
    const tar = await writeBase();
    const store = new BlobStore(join(dir, 'store'));
    const seeds = await baseLayerSeeds(base(), ['linux/amd64'], store, {
      read: layoutBaseReader(join(dir, 'base')),
      fetch,
    });
    const layout = join(dir, 'staging/buildah');
    plantSeeds(layout, seeds);
    expect(JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')).manifests).toEqual([]);
    expect(existsSync(join(layout, 'oci-layout'))).toBe(true);
    const planted = join(layout, 'blobs/sha256', sha256Digest(tar).slice(7));
    expect(readFileSync(planted)).toEqual(tar);
    expect(statSync(planted).ino).toBe(statSync(seeds[0].file).ino);
    plantSeeds(join(dir, 'none'), []);
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });
});
