import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OciLayout } from '../oci/layout';
import { OciLayoutWriter } from '../oci/layout-writer';
import { MediaType } from '../oci/media-types';
import { writeLayout } from '../verify/testing/layer-builder';
import { addAttestations, SLSA_V02, SPDX } from '../oci/testing/attestations';
import { assembleLayout } from './assemble';

const image = (architecture: string) => ({
  platform: { os: 'linux', architecture },
  layers: [{ entries: [{ name: 'f', content: architecture }] }],
});

describe('assembleLayout', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lucid-assemble-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('orders platforms as configured, adds annotations and drops blobs the new index does not reach', async () => {
    // buildah lists platforms in completion order: arm64 may come first.
    await writeLayout(join(dir, 'engine'), [image('arm64'), image('amd64')]);
    const out = assembleLayout(
      [{ layoutDir: join(dir, 'engine'), platforms: ['linux/amd64', 'linux/arm64'] }],
      join(dir, 'out'),
      { 'org.opencontainers.image.description': 'd' },
      '1.0.0',
    );
    const layout = OciLayout.open(join(dir, 'out'));
    expect(layout.imageIndexDescriptor().digest).toBe(out.index.digest);
    const index = layout.readJsonBlob<{
      manifests: Array<{ platform: { architecture: string } }>;
      annotations: Record<string, string>;
    }>(out.index.digest);
    expect(index.manifests.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
    expect(index.annotations).toEqual({ 'org.opencontainers.image.description': 'd' });
    // 1 index + 2 × (manifest, config, layer); the engine's own index blob is not carried over.
    expect(readdirSync(join(dir, 'out/blobs/sha256'))).toHaveLength(7);
    expect(JSON.parse(readFileSync(join(dir, 'out/index.json'), 'utf8')).manifests[0].annotations).toEqual({
      'org.opencontainers.image.ref.name': '1.0.0',
    });
  });

  it('merges one layout per platform (buildx) and skips attestation manifests', async () => {
    await writeLayout(join(dir, 'a'), [
      image('amd64'),
      { platform: { os: 'unknown', architecture: 'unknown' }, layers: [] },
    ]);
    await writeLayout(join(dir, 'b'), [image('arm64')]);
    const out = assembleLayout(
      [
        { layoutDir: join(dir, 'a'), platforms: ['linux/amd64'] },
        { layoutDir: join(dir, 'b'), platforms: ['linux/arm64'] },
      ],
      join(dir, 'out'),
      {},
      'v',
    );
    expect(out.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it("keeps each platform's BuildKit attestation manifest, after the platforms, with its blobs", async () => {
    await writeLayout(join(dir, 'a'), [image('amd64')]);
    await writeLayout(join(dir, 'b'), [image('arm64')]);
    addAttestations(join(dir, 'a'), [SLSA_V02, SPDX]);
    addAttestations(join(dir, 'b'), [SLSA_V02]);
    const out = assembleLayout(
      [
        { layoutDir: join(dir, 'b'), platforms: ['linux/arm64'] },
        { layoutDir: join(dir, 'a'), platforms: ['linux/amd64'] },
      ],
      join(dir, 'out'),
      {},
      'v',
    );
    const layout = OciLayout.open(join(dir, 'out'));
    const index = layout.readJsonBlob<{
      manifests: Array<{
        digest: string;
        platform: { os: string; architecture: string };
        annotations?: Record<string, string>;
      }>;
    }>(out.index.digest);
    expect(index.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`)).toEqual([
      'linux/arm64',
      'linux/amd64',
      'unknown/unknown',
      'unknown/unknown',
    ]);
    expect(index.manifests.slice(2).map((m) => m.annotations?.['vnd.docker.reference.digest'])).toEqual(
      index.manifests.slice(0, 2).map((m) => m.digest),
    );
    expect(out.attestations.map((a) => [a.platform, a.predicateTypes])).toEqual([
      ['linux/arm64', [SLSA_V02]],
      ['linux/amd64', [SLSA_V02, SPDX]],
    ]);
    // Every blob an attestation names was carried over: the layout is complete for push.
    for (const a of out.attestations) {
      const m = layout.readJsonBlob<{ config: { digest: string }; layers: Array<{ digest: string }> }>(
        a.descriptor.digest,
      );
      for (const d of [m.config.digest, ...m.layers.map((l) => l.digest)]) expect(layout.hasBlob(d)).toBe(true);
    }
  });

  it('refuses an output that lacks a platform, or holds one twice', async () => {
    await writeLayout(join(dir, 'one'), [image('amd64')]);
    expect(() =>
      assembleLayout(
        [{ layoutDir: join(dir, 'one'), platforms: ['linux/amd64', 'linux/arm64'] }],
        join(dir, 'o1'),
        {},
        'v',
      ),
    ).toThrow(/holds 0 manifest\(s\) for linux\/arm64/);
    await writeLayout(join(dir, 'two'), [image('amd64'), image('amd64')]);
    expect(() =>
      assembleLayout([{ layoutDir: join(dir, 'two'), platforms: ['linux/amd64'] }], join(dir, 'o2'), {}, 'v'),
    ).toThrow(/holds 2 manifest/);
  });

  it('refuses a corrupt blob', async () => {
    const w = new OciLayoutWriter(join(dir, 'bad'));
    const layer = w.putBlob(Buffer.from('layer'), MediaType.ociLayerGzip);
    const config = w.putJson(
      { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } },
      MediaType.ociConfig,
    );
    const m = w.putJson({ schemaVersion: 2, config, layers: [layer] }, MediaType.ociManifest, {
      platform: { os: 'linux', architecture: 'amd64' },
    });
    w.writeTopIndex([m]);
    require('node:fs').writeFileSync(join(dir, 'bad/blobs/sha256', layer.digest.slice(7)), 'tampered');
    expect(() =>
      assembleLayout([{ layoutDir: join(dir, 'bad'), platforms: ['linux/amd64'] }], join(dir, 'o3'), {}, 'v'),
    ).toThrow(/corrupt/);
  });
});
