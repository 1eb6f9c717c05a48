/** metadata.json from an assembled layout (pure): what was built, and which attestations the index carries. */
import { isProvenancePredicate, isSbomPredicate } from '../oci/attestations';
import { BuildMetadata, parseBuildMetadata } from '../artifacts/metadata';
import type { AssembledIndex } from './assemble';
import type { PreparedBuild } from './build-request';

export function buildRecord(project: string, prepared: PreparedBuild, assembled: AssembledIndex): BuildMetadata {
  const manifests = assembled.platforms.map((p) => ({
    platform: p.descriptor.platform!,
    digest: p.descriptor.digest,
    mediaType: p.descriptor.mediaType,
    size: p.descriptor.size,
    configDigest: p.manifest.config.digest,
    compressedSize: p.manifest.layers.reduce((n, l) => n + l.size, 0),
  }));
  const blobs = new Map<string, number>();
  for (const p of assembled.platforms)
    for (const b of [p.manifest.config, ...p.manifest.layers]) blobs.set(b.digest, b.size);
  const types = assembled.attestations.flatMap((a) => a.predicateTypes);
  return parseBuildMetadata(
    {
      schemaVersion: 1,
      project,
      phase: prepared.phase,
      image: prepared.image,
      version: prepared.version,
      gitSha: prepared.gitSha,
      layout: 'oci',
      index: { digest: assembled.index.digest, mediaType: assembled.index.mediaType, size: assembled.index.size },
      manifests,
      compressedSize: [...blobs.values()].reduce((a, b) => a + b, 0),
      labels: prepared.labels,
      annotations: prepared.annotations,
      base: prepared.base,
      engine: { name: prepared.engine.name, version: prepared.engineVersion },
      attestations: {
        provenance: types.some(isProvenancePredicate),
        sbom: types.some(isSbomPredicate),
        manifests: assembled.attestations.map((a) => ({
          digest: a.descriptor.digest,
          size: a.descriptor.size,
          subject: a.subject,
          platform: a.platform,
          predicateTypes: a.predicateTypes,
        })),
      },
    },
    `metadata for ${project}`,
  );
}

/** The one-line build summary: image, index, platforms, size, attestations. */
export function buildSummaryLine(m: BuildMetadata, outputPath: string): string {
  const kinds = [m.attestations.provenance ? 'provenance' : '', m.attestations.sbom ? 'SBOM' : ''].filter(Boolean);
  const attest = kinds.length
    ? `, attestations: ${kinds.join(' + ')} (${m.attestations.manifests.length} manifest(s))`
    : ', no attestations';
  return `✔ ${m.image}@${m.index.digest} (${m.manifests.length} platform(s), ${m.compressedSize} bytes${attest}) → ${outputPath}`;
}
