/** What a tag's manifest holds, for release list and release logs: its platforms and BuildKit attestations. */
import { describeIndexEntries } from '../oci/attestations';
import type { Descriptor } from '../oci/types';

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
