import { ociFixture } from '../oci/testing/attestations';
import { carriedAttestations, describeManifest, formatCarried, formatContents } from './describe';

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

describe('carriedAttestations (the referrers of a version, for release list)', () => {
  const referrer = (artifactType: string, annotations?: Record<string, string>) => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: `sha256:${'0'.repeat(64)}`,
    size: 1,
    artifactType,
    annotations,
  });
  it('splits Sigstore bundles (signed) from in-toto statements (unsigned) by predicate type, ignoring other artifacts', () => {
    const carried = carriedAttestations([
      referrer('application/vnd.dev.sigstore.bundle.v0.3+json', {
        'dev.sigstore.bundle.predicateType': 'https://slsa.dev/provenance/v1',
      }),
      referrer('application/vnd.in-toto+json', { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v1' }),
      referrer('application/vnd.in-toto+json', { 'in-toto.io/predicate-type': 'https://cyclonedx.org/bom' }),
      referrer('application/vnd.dev.sigstore.bundle.v0.3+json'),
      referrer('application/vnd.dev.cosign.artifact.sig.v1+json'),
    ]);
    expect(carried).toEqual({
      signed: ['https://slsa.dev/provenance/v1', '(unnamed predicate)'],
      unsigned: ['https://slsa.dev/provenance/v1', 'https://cyclonedx.org/bom'],
    });
    expect(formatCarried(carried)).toBe(
      'signed: https://slsa.dev/provenance/v1, (unnamed predicate); unsigned: https://slsa.dev/provenance/v1, https://cyclonedx.org/bom',
    );
    expect(formatCarried(carriedAttestations([]))).toBe('no attestation referrers');
  });
});
