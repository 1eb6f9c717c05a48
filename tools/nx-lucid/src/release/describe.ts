/** What a tag's manifest holds, for release list and release logs: its platforms and BuildKit attestations. */
import { describeIndexEntries } from '../oci/attestations';
import type { Descriptor } from '../oci/types';
import {
  BUNDLE_PREDICATE_ANNOTATION,
  IN_TOTO_MEDIA_TYPE,
  IN_TOTO_PREDICATE_ANNOTATION,
  SIGSTORE_BUNDLE_V03,
} from '../oci/in-toto';

/** The attestations attached to a digest as OCI referrers, by predicate type (as their annotations name them). */
export interface CarriedAttestations {
  /** Sigstore bundles (not verified here: release's policy does that). */
  signed: string[];
  /** In-toto statements without a signature. */
  unsigned: string[];
}

export function carriedAttestations(referrers: Descriptor[]): CarriedAttestations {
  const of = (type: string, key: string) => [
    ...new Set(
      referrers.filter((r) => r.artifactType === type).map((r) => r.annotations?.[key] ?? '(unnamed predicate)'),
    ),
  ];
  return {
    signed: of(SIGSTORE_BUNDLE_V03, BUNDLE_PREDICATE_ANNOTATION),
    unsigned: of(IN_TOTO_MEDIA_TYPE, IN_TOTO_PREDICATE_ANNOTATION),
  };
}

/** "signed: …; unsigned: …", or "no referrers". */
export function formatCarried(c: CarriedAttestations): string {
  const parts = [
    ...(c.signed.length ? [`signed: ${c.signed.join(', ')}`] : []),
    ...(c.unsigned.length ? [`unsigned: ${c.unsigned.join(', ')}`] : []),
  ];
  return parts.length ? parts.join('; ') : 'no attestation referrers';
}

export interface ManifestContents {
  platforms: string[];
  /** Attestation manifests in the index (SLSA provenance, SBOM): 0 for an image built without them. */
  attestations: number;
}

export function describeManifest(bytes: Buffer): ManifestContents | null {
  try {
    const m = JSON.parse(bytes.toString('utf8')) as { manifests?: Descriptor[] };
    return m.manifests ? describeIndexEntries(m.manifests) : { platforms: [], attestations: 0 };
  } catch {
    return null;
  }
}

/** "linux/amd64, linux/arm64; 2 attestation manifest(s)" */
export function formatContents(c: ManifestContents | null): string {
  if (!c) return 'unreadable manifest';
  const platforms = c.platforms.length ? c.platforms.join(', ') : 'single manifest';
  return `${platforms}; ${c.attestations ? `${c.attestations} attestation manifest(s)` : 'no attestations'}`;
}
