/**
 * Adds BuildKit-shaped attestation manifests to a layout written by the test layer builder: per platform
 * manifest, an unknown/unknown entry annotated as in the real buildx output (__fixtures__/, sources in __fixtures__/SOURCES.md), whose
 * layers are in-toto statements. Spec-only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OciLayout } from '../layout';
import { OciLayoutWriter } from '../layout-writer';
import { MediaType } from '../media-types';
import { Descriptor, indexSchema } from '../types';

/** Real OCI documents from public repositories, byte for byte (__fixtures__/SOURCES.md). */
export const OCI_FIXTURES = resolve(__dirname, '__fixtures__');
export const SLSA_V02 = 'https://slsa.dev/provenance/v0.2';
export const SPDX = 'https://spdx.dev/Document';

export function ociFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(OCI_FIXTURES, name), 'utf8')) as T;
}

/** Rewrites the layout's image index with one attestation manifest per platform manifest; returns the new index. */
export function addAttestations(dir: string, predicateTypes: string[] = [SLSA_V02]): Descriptor {
  const layout = OciLayout.open(dir);
  const writer = new OciLayoutWriter(dir);
  const top = layout.imageIndexDescriptor();
  const index = indexSchema.parse(layout.readJsonBlob(top.digest));
  const attestations = index.manifests.map((m) => {
    const config = writer.putJson(
      { architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [] } },
      MediaType.ociConfig,
    );
    const layers = predicateTypes.map((type) =>
      writer.putJson(
        {
          _type: 'https://in-toto.io/Statement/v0.1',
          predicateType: type,
          subject: [{ digest: { sha256: m.digest.slice(7) } }],
        },
        'application/vnd.in-toto+json',
        {
          annotations: { 'in-toto.io/predicate-type': type },
        },
      ),
    );
    return writer.putJson(
      { schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers },
      MediaType.ociManifest,
      {
        annotations: { 'vnd.docker.reference.digest': m.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
        platform: { architecture: 'unknown', os: 'unknown' },
      },
    );
  });
  const next = writer.putJson({ ...index, manifests: [...index.manifests, ...attestations] }, MediaType.ociIndex);
  writer.writeTopIndex([next]);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return next;
}
