/**
 * BuildKit's attestation storage: an image index entry with platform unknown/unknown whose annotations name the
 * platform manifest it attests; its layers are in-toto statements (SLSA provenance, SPDX SBOM).
 * https://github.com/moby/buildkit/blob/master/docs/attestations/attestation-storage.md
 */
import type { Descriptor } from './types';

export const ATTESTATION_REFERENCE_TYPE = 'vnd.docker.reference.type';
export const ATTESTATION_REFERENCE_DIGEST = 'vnd.docker.reference.digest';
export const PREDICATE_TYPE_ANNOTATION = 'in-toto.io/predicate-type';

export function isAttestationManifest(d: Pick<Descriptor, 'annotations'>): boolean {
  return (
    d.annotations?.[ATTESTATION_REFERENCE_TYPE] === 'attestation-manifest' &&
    !!d.annotations?.[ATTESTATION_REFERENCE_DIGEST]
  );
}

/** The digest of the platform manifest an attestation manifest is about. */
export function attestationSubject(d: Pick<Descriptor, 'annotations'>): string | undefined {
  return isAttestationManifest(d) ? d.annotations![ATTESTATION_REFERENCE_DIGEST] : undefined;
}

/** SLSA provenance (v0.2 or v1) and SPDX predicate types. */
export function isProvenancePredicate(type: string): boolean {
  return type.startsWith('https://slsa.dev/provenance/');
}
export function isSbomPredicate(type: string): boolean {
  return type.startsWith('https://spdx.dev/Document');
}

/** What an index carries: real platforms, and how many attestation manifests (for release list and summaries). */
export function describeIndexEntries(manifests: ReadonlyArray<Pick<Descriptor, 'annotations' | 'platform'>>): {
  platforms: string[];
  attestations: number;
} {
  const platforms: string[] = [];
  let attestations = 0;
  for (const m of manifests) {
    if (isAttestationManifest(m)) attestations++;
    else if (m.platform && m.platform.os !== 'unknown') {
      platforms.push(
        `${m.platform.os}/${m.platform.architecture}${m.platform.variant ? `/${m.platform.variant}` : ''}`,
      );
    }
  }
  return { platforms, attestations };
}
