/** A build output (metadata.json + a one-platform OCI layout) holding the given files, for verify's specs. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OciLayout } from '../../oci/layout';
import { writeLayout } from './layer-builder';

export const LABELS = {
  'org.opencontainers.image.source': 'https://github.com/hamigames/lucid',
  'org.opencontainers.image.revision': 'a'.repeat(40),
  'org.opencontainers.image.version': '1.2.3',
  'org.opencontainers.image.created': '2025-01-01T00:00:00Z',
  'org.opencontainers.image.title': 'api',
};

export async function writeBuildOutput(
  ws: string,
  outputPath: string,
  files: Array<{ name: string; content: string }>,
  indexDigest?: string,
  project = 'api',
): Promise<void> {
  const dir = join(ws, outputPath);
  await writeLayout(join(dir, 'oci'), [
    {
      platform: { os: 'linux', architecture: 'amd64' },
      user: '65532:65532',
      labels: LABELS,
      layers: [{ entries: files }],
    },
  ]);
  const index = OciLayout.open(join(dir, 'oci')).imageIndexDescriptor();
  const metadata = {
    schemaVersion: 1,
    project,
    phase: null,
    image: 'ghcr.io/hamigames/lucid/api',
    version: '1.2.3',
    gitSha: null,
    layout: 'oci',
    index: { digest: indexDigest ?? index.digest, mediaType: index.mediaType, size: index.size },
    manifests: [
      {
        platform: { os: 'linux', architecture: 'amd64' },
        digest: `sha256:${'1'.repeat(64)}`,
        mediaType: 'x',
        size: 1,
        configDigest: `sha256:${'2'.repeat(64)}`,
        compressedSize: 1,
      },
    ],
    compressedSize: 1,
    labels: LABELS,
    annotations: {},
    base: null,
    engine: { name: 'buildah', version: '1' },
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify(metadata));
}
