/**
 * A tiny two-platform base image for build tests, made without a builder and pushed to a test registry with
 * skopeo: each platform has one layer holding /etc/lucid-base (names the platform and a marker, so a "moved
 * tag" is a different digest). Config diff_ids are the real uncompressed digests, so buildah can pull it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runProcess } from '../../src/boundary/process';
import { sha256Digest } from '../../src/oci/digest';
import { OciLayoutWriter } from '../../src/oci/layout-writer';
import { MediaType } from '../../src/oci/media-types';
import { Descriptor } from '../../src/oci/types';
import { packLayer } from '../../src/verify/testing/layer-builder';

export interface PushedBase {
  /** host/repo:tag as pushed. */
  ref: string;
  /** Digest of the image index. */
  digest: string;
}

export async function pushTestBase(
  registryHost: string,
  repository: string,
  tag: string,
  marker = 'v1',
): Promise<PushedBase> {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-test-base-'));
  try {
    const writer = new OciLayoutWriter(dir);
    const manifests: Descriptor[] = [];
    for (const architecture of ['amd64', 'arm64']) {
      const tar = await packLayer(
        [
          { name: 'etc/', type: 'directory' },
          { name: 'etc/lucid-base', content: `lucid test base ${marker} linux/${architecture}\n` },
        ],
        false,
      );
      const layer = writer.putBlob(gzipSync(tar), MediaType.ociLayerGzip);
      const config = writer.putJson(
        {
          architecture,
          os: 'linux',
          created: '1970-01-01T00:00:00Z',
          config: { User: '65532:65532', Env: ['PATH=/usr/local/bin:/usr/bin:/bin'] },
          rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] },
          history: [{ created: '1970-01-01T00:00:00Z', created_by: 'lucid test base' }],
        },
        MediaType.ociConfig,
      );
      manifests.push(
        writer.putJson(
          { schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [layer] },
          MediaType.ociManifest,
          {
            platform: { architecture, os: 'linux' },
          },
        ),
      );
    }
    const index = writer.putJson({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }, MediaType.ociIndex);
    writer.writeTopIndex([{ ...index, annotations: { 'org.opencontainers.image.ref.name': tag } }]);
    const ref = `${registryHost}/${repository}:${tag}`;
    await runProcess('skopeo', [
      'copy',
      '--all',
      '--preserve-digests',
      '--dest-tls-verify=false',
      `oci:${dir}:${tag}`,
      `docker://${ref}`,
    ]);
    return { ref, digest: index.digest };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
