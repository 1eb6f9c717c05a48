import {
  describeIndexEntries,
  attestationSubject,
  isAttestationManifest,
  isProvenancePredicate,
  isSbomPredicate,
} from './attestations';
import { ociFixture } from './testing/attestations';
import { ImageIndex, ImageManifest } from './types';

describe('BuildKit attestation manifests (real buildx output)', () => {
  const index = ociFixture<ImageIndex>('oci-image-index.buildx-amd64-arm64.json');

  it('tells attestation entries from platform images and names their subject', () => {
    const [amd64, arm64, a1, a2] = index.manifests;
    expect([amd64, arm64].map(isAttestationManifest)).toEqual([false, false]);
    expect([a1, a2].map(attestationSubject)).toEqual([amd64.digest, arm64.digest]);
    expect(describeIndexEntries(index.manifests)).toEqual({
      platforms: ['linux/amd64', 'linux/arm64'],
      attestations: 2,
    });
  });

  it('reads the predicate type of an attestation layer', () => {
    const manifest = ociFixture<ImageManifest>('oci-attestation-manifest.json');
    const types = manifest.layers.map((l) => l.annotations?.['in-toto.io/predicate-type'] ?? '');
    expect(types.map(isProvenancePredicate)).toEqual([true]);
    expect(types.map(isSbomPredicate)).toEqual([false]);
    expect(isSbomPredicate('https://spdx.dev/Document')).toBe(true);
  });

  it('an unknown/unknown entry without the reference annotations is not an attestation', () => {
    expect(isAttestationManifest({ annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } })).toBe(false);
    expect(describeIndexEntries([{ platform: { os: 'unknown', architecture: 'unknown' } }])).toEqual({
      platforms: [],
      attestations: 0,
    });
  });
});
