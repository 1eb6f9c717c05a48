import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMergePlatforms } from '../../bin/lucid';
import { ARTIFACTS, readArtifact, writeArtifact } from '../artifacts/artifacts';
import { readBuildMetadata } from '../artifacts/metadata';
import { assembleSbom, PLATFORM_PROPERTY, sbomParts } from '../artifacts/sbom';
import { OciLayout } from '../oci/layout';
import { OciLayoutWriter } from '../oci/layout-writer';
import { MediaType } from '../oci/media-types';
import { ImageIndex } from '../oci/types';
import { readPushSource } from '../push/push';
import { mergePlatformOutputs } from './merge-platforms';

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'lucid-merge-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

const SHA = 'a'.repeat(40);

/** A single-platform build output as a native runner hands it on: layout (index → manifest) and metadata.json. */
function singlePlatformOutput(
  dir: string,
  project: string,
  arch: 'amd64' | 'arm64',
  over: { gitSha?: string; sharedLayer?: Buffer } = {},
) {
  const out = join(root, dir, project);
  const w = new OciLayoutWriter(join(out, 'oci'));
  const layers = [
    w.putBlob(Buffer.from(`layer of ${arch}`), MediaType.ociLayerGzip),
    ...(over.sharedLayer ? [w.putBlob(over.sharedLayer, MediaType.ociLayerGzip)] : []),
  ];
  const config = w.putJson(
    { architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } },
    MediaType.ociConfig,
  );
  const platform = { os: 'linux', architecture: arch };
  const manifest = w.putJson(
    { schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers },
    MediaType.ociManifest,
    { platform },
  );
  const index = w.putJson(
    { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [manifest] },
    MediaType.ociIndex,
  );
  w.writeTopIndex([index]);
  const metadata = {
    schemaVersion: 1,
    project,
    phase: 1,
    image: `ghcr.io/hamigames/lucid/${project}`,
    version: '1.0.0',
    gitSha: over.gitSha ?? SHA,
    layout: 'oci',
    index: { digest: index.digest, mediaType: index.mediaType, size: index.size },
    manifests: [
      {
        platform,
        digest: manifest.digest,
        mediaType: manifest.mediaType,
        size: manifest.size,
        configDigest: config.digest,
        compressedSize: layers.reduce((a, l) => a + l.size, 0),
      },
    ],
    compressedSize: layers.reduce((a, l) => a + l.size, 0) + config.size,
    labels: {},
    annotations: {},
    base: null,
    engine: { name: 'buildx', version: '0.20.0' },
  };
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'metadata.json'), JSON.stringify(metadata));
  return { manifest, config, layers };
}

describe('merge-platforms (native arm64: per-platform outputs → one index, no rebuild)', () => {
  it('keeps each platform manifest byte for byte, lists both in one index, and the push reads it as any build output', () => {
    const shared = Buffer.from('a layer both platforms share');
    const amd = singlePlatformOutput('dist/containers-amd64', 'redis', 'amd64', { sharedLayer: shared });
    const arm = singlePlatformOutput('dist/containers-arm64', 'redis', 'arm64', { sharedLayer: shared });
    const [merged] = mergePlatformOutputs(root, ['redis'], 'dist/containers', [
      'dist/containers-amd64',
      'dist/containers-arm64',
    ]);
    expect(merged.platforms).toEqual(['linux/amd64', 'linux/arm64']);

    const layout = OciLayout.open(join(root, 'dist/containers/redis/oci'));
    const index = layout.readJsonBlob<ImageIndex>(layout.imageIndexDescriptor().digest);
    expect(index.manifests.map((m) => m.digest)).toEqual([amd.manifest.digest, arm.manifest.digest]);
    expect(layout.imageIndexDescriptor().digest).toBe(merged.index);

    const meta = readBuildMetadata(root, 'dist/containers/redis');
    expect(meta.index.digest).toBe(merged.index);
    expect(meta.manifests.map((m) => m.digest)).toEqual([amd.manifest.digest, arm.manifest.digest]);
    // Distinct blobs only: the shared layer counts once.
    const distinct = new Map([...amd.layers, amd.config, ...arm.layers, arm.config].map((b) => [b.digest, b.size]));
    expect(meta.compressedSize).toBe([...distinct.values()].reduce((a, b) => a + b, 0));

    const source = readPushSource(layout);
    expect(source.index.digest).toBe(merged.index);
    expect(source.manifests.map((m) => m.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(source.blobs.map((b) => b.digest).sort()).toEqual([...distinct.keys()].sort());
  });

  it('refuses parts that are not the same build, a platform in two parts, or --into among --from, and writes nothing', () => {
    singlePlatformOutput('a', 'redis', 'amd64');
    singlePlatformOutput('b', 'redis', 'arm64', { gitSha: 'b'.repeat(40) });
    singlePlatformOutput('c', 'redis', 'amd64');
    singlePlatformOutput('b', 'mongodb', 'arm64');
    singlePlatformOutput('a', 'mongodb', 'amd64');
    expect(() => mergePlatformOutputs(root, ['mongodb', 'redis'], 'out', ['a', 'b'])).toThrow(
      /redis: b has gitSha "b{40}" but a has "a{40}": not the same build/,
    );
    expect(existsSync(join(root, 'out'))).toBe(false); // mongodb, which would merge, was not written either
    expect(() => mergePlatformOutputs(root, ['redis'], 'out', ['a', 'c'])).toThrow(
      /platform linux\/amd64 is in both a and c/,
    );
    expect(() => mergePlatformOutputs(root, ['redis'], 'a', ['a', 'b'])).toThrow(/must not be one of the --from/);
    expect(() => mergePlatformOutputs(root, ['redis'], 'out', ['a'])).toThrow(/at least two --from/);
  });

  it('lucid merge-platforms: the command the generated push job runs; --dry-run writes nothing; bad arguments are usage errors', () => {
    singlePlatformOutput('dist/containers-amd64', 'redis', 'amd64');
    singlePlatformOutput('dist/containers-arm64', 'redis', 'arm64');
    const args = [
      '--projects=redis',
      '--into=dist/containers',
      '--from=dist/containers-amd64',
      '--from=dist/containers-arm64',
    ];
    const lines: string[] = [];
    expect(runMergePlatforms([...args, '--dry-run'], root, (s) => lines.push(s))).toBe(0);
    expect(lines.join('')).toMatch(
      /^\[dry-run\] would merge dist\/containers-amd64 \+ dist\/containers-arm64 into dist\/containers for redis/,
    );
    expect(existsSync(join(root, 'dist/containers'))).toBe(false);
    expect(runMergePlatforms(args, root, (s) => lines.push(s))).toBe(0);
    expect(lines.at(-1)).toMatch(
      /^redis: linux\/amd64, linux\/arm64 → sha256:[0-9a-f]{64} \(dist\/containers\/redis\)\n$/,
    );
    expect(JSON.parse(readFileSync(join(root, 'dist/containers/redis/metadata.json'), 'utf8')).manifests).toHaveLength(
      2,
    );
    expect(() => runMergePlatforms(['--into=x'], root)).toThrow(/--projects and --into are required/);
    expect(() => runMergePlatforms(['--bogus'], root)).toThrow(/unknown or empty argument "--bogus"/);
  });

  it("merges each platform's scan/sbom.cdx.json into one SBOM of the merged index (the file CI attests)", () => {
    const image = 'ghcr.io/hamigames/lucid/redis';
    const parts = (['amd64', 'arm64'] as const).map((arch) => {
      const out = singlePlatformOutput(`dist/containers-${arch}`, 'redis', arch);
      const platform = `linux/${arch}`;
      const sbom = assembleSbom(
        {
          image,
          digest: 'sha256:' + '0'.repeat(64),
          specVersion: '1.6',
          serialNumber: `urn:uuid:${'1'.repeat(8)}-1111-1111-1111-${'1'.repeat(12)}`,
          timestamp: '2026-12-08T00:00:00Z',
        },
        [
          {
            platform,
            image: {
              'bom-ref': `${image}@${out.manifest.digest}`,
              type: 'container',
              name: image,
              properties: [{ name: PLATFORM_PROPERTY, value: platform }],
            },
            components: [
              {
                'bom-ref': `${platform}|pkg:deb/debian/bash@5.2?arch=${arch}`,
                type: 'library',
                name: 'bash',
                purl: `pkg:deb/debian/bash@5.2?arch=${arch}`,
              },
            ],
            dependencies: [
              {
                ref: `${image}@${out.manifest.digest}`,
                dependsOn: [`${platform}|pkg:deb/debian/bash@5.2?arch=${arch}`],
              },
            ],
          },
        ],
      );
      writeArtifact(join(root, `dist/containers-${arch}/redis`), ARTIFACTS.sbom, sbom);
      return out;
    });
    const [merged] = mergePlatformOutputs(root, ['redis'], 'dist/containers', [
      'dist/containers-amd64',
      'dist/containers-arm64',
    ]);
    const sbom = readArtifact(join(root, 'dist/containers/redis'), ARTIFACTS.sbom)!;
    expect(sbom.metadata.component).toMatchObject({ 'bom-ref': `${image}@${merged.index}`, version: merged.index });
    expect(sbom.dependencies[0].dependsOn).toEqual(parts.map((p) => `${image}@${p.manifest.digest}`));
    expect(sbomParts(sbom, 'merged').map((p) => [p.platform, p.components.map((c) => c.purl)])).toEqual([
      ['linux/amd64', ['pkg:deb/debian/bash@5.2?arch=amd64']],
      ['linux/arm64', ['pkg:deb/debian/bash@5.2?arch=arm64']],
    ]);
    // One platform without its SBOM: an error naming the file.
    rmSync(join(root, 'dist/containers-arm64/redis/scan'), { recursive: true });
    expect(() =>
      mergePlatformOutputs(root, ['redis'], 'dist/containers', ['dist/containers-amd64', 'dist/containers-arm64']),
    ).toThrow(
      /redis: no SBOM in dist\/containers-arm64\/redis\/scan\/sbom\.cdx\.json, but the other platforms have one/,
    );
    // ... checked before anything is written: a project merged first is not written either.
    for (const arch of ['amd64', 'arm64'] as const) singlePlatformOutput(`dist/containers-${arch}`, 'api', arch);
    rmSync(join(root, 'dist/containers'), { recursive: true, force: true });
    expect(() =>
      mergePlatformOutputs(root, ['api', 'redis'], 'dist/containers', [
        'dist/containers-amd64',
        'dist/containers-arm64',
      ]),
    ).toThrow(/redis: no SBOM/);
    expect(existsSync(join(root, 'dist/containers/api'))).toBe(false);
  });
});
