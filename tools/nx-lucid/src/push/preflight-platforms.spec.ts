import type { BuildMetadata } from '../artifacts/metadata';
import { checkMetadata } from './preflight';
import type { PushSource } from './push';

const d = (c: string) => `sha256:${c.repeat(64)}`;

/** metadata.json as buildah writes it (arm64 with its default variant v8) beside a layout. */
function pair(metadataArm: { architecture: string; variant?: string }) {
  const metadata = {
    project: 'redis',
    image: 'ghcr.io/hamigames/lucid/redis',
    index: { digest: d('a'), mediaType: 'application/vnd.oci.image.index.v1+json', size: 3 },
    manifests: [
      { platform: { os: 'linux', architecture: 'amd64' }, digest: d('b'), configDigest: d('c') },
      { platform: { os: 'linux', ...metadataArm }, digest: d('d'), configDigest: d('e') },
    ],
  } as unknown as BuildMetadata;
  const source = {
    index: { digest: d('a'), bytes: Buffer.from('{ }') },
    manifests: [
      { digest: d('b'), platform: 'linux/amd64', configDigest: d('c') },
      { digest: d('d'), platform: 'linux/arm64', configDigest: d('e') },
    ],
  } as unknown as PushSource;
  return { metadata, source };
}

describe('checkMetadata platforms', () => {
  it('takes arm64/v8 (the default arm64 variant) as the layout’s linux/arm64', () => {
    const { metadata, source } = pair({ architecture: 'arm64', variant: 'v8' });
    expect(() => checkMetadata(metadata, source, { project: 'redis', file: 'metadata.json' })).not.toThrow();
  });

  it('still refuses a platform the layout does not have', () => {
    const { metadata, source } = pair({ architecture: 'arm', variant: 'v7' });
    expect(() => checkMetadata(metadata, source, { project: 'redis', file: 'metadata.json' })).toThrow(
      /lists platforms linux\/amd64, linux\/arm\/v7 but the layout has linux\/amd64, linux\/arm64/,
    );
  });
});
