import { ociFixture } from '../oci/testing/attestations';
import { describeManifest, formatContents } from './describe';

describe('describeManifest', () => {
  it('counts the attestation manifests of a real buildx index and lists only real platforms', () => {
    const bytes = Buffer.from(JSON.stringify(ociFixture('oci-image-index.buildx-amd64-arm64.json')));
    expect(describeManifest(bytes)).toEqual({ platforms: ['linux/amd64', 'linux/arm64'], attestations: 2 });
    expect(formatContents(describeManifest(bytes))).toBe('linux/amd64, linux/arm64; 2 attestation manifest(s)');
  });

  it('says so for an index without attestations, a single manifest and garbage', () => {
    const plain = {
      manifests: [
        {
          mediaType: 'm',
          digest: `sha256:${'a'.repeat(64)}`,
          size: 1,
          platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
        },
      ],
    };
    expect(formatContents(describeManifest(Buffer.from(JSON.stringify(plain))))).toBe(
      'linux/arm64/v8; no attestations',
    );
    expect(
      formatContents(describeManifest(Buffer.from(JSON.stringify(ociFixture('oci-attestation-manifest.json'))))),
    ).toBe('single manifest; no attestations');
    expect(formatContents(describeManifest(Buffer.from('{')))).toBe('unreadable manifest');
  });
});
