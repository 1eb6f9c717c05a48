/**
 * Turns what an engine wrote into the build's layout: index.json → exactly one OCI image index → one manifest per
 * platform, in the configured platform order (buildah lists them in completion order, which varies run to run),
 * then each platform's BuildKit attestation manifest in the same order, with the index annotations, and only the
 * blobs that index reaches.
 */
import { copyFileSync, existsSync, linkSync } from 'node:fs';
import { OciLayout } from '../oci/layout';
import { OciLayoutWriter } from '../oci/layout-writer';
import { isIndexMediaType, isManifestMediaType, MediaType } from '../oci/media-types';
import { attestationSubject, isAttestationManifest, PREDICATE_TYPE_ANNOTATION } from '../oci/attestations';
import { Descriptor, ImageIndex, ImageManifest, manifestSchema, indexSchema, platformString } from '../oci/types';

export interface AssembledPlatform {
  platform: string;
  descriptor: Descriptor;
  manifest: ImageManifest;
}

export interface AssembledAttestation {
  /** The attestation manifest's descriptor, as it stands in the index. */
  descriptor: Descriptor;
  /** The platform manifest it is about (vnd.docker.reference.digest). */
  subject: string;
  platform: string;
  /** in-toto predicate types of its layers, e.g. https://slsa.dev/provenance/v0.2, https://spdx.dev/Document. */
  predicateTypes: string[];
}

export interface AssembledIndex {
  index: Descriptor;
  platforms: AssembledPlatform[];
  attestations: AssembledAttestation[];
}

/** Manifests reachable from a layout's index.json (through nested indexes): platform images and attestations apart. */
function layoutManifests(layout: OciLayout): { images: Descriptor[]; attestations: Descriptor[] } {
  const images: Descriptor[] = [];
  const attestations: Descriptor[] = [];
  const walk = (descriptors: Descriptor[]) => {
    for (const d of descriptors) {
      if (isIndexMediaType(d.mediaType)) {
        walk(indexSchema.parse(layout.readJsonBlob(d.digest)).manifests);
      } else if (isManifestMediaType(d.mediaType)) {
        if (isAttestationManifest(d)) attestations.push(d);
        else if (d.platform && d.platform.os !== 'unknown') images.push(d);
      }
    }
  };
  walk(layout.topIndex().manifests);
  return { images, attestations };
}

function copyBlob(from: OciLayout, to: OciLayoutWriter, digest: string): void {
  const src = from.blobPath(digest);
  const dest = `${to.dir}/blobs/sha256/${digest.slice(7)}`;
  if (existsSync(dest)) return;
  from.readBlob(digest); // checks the digest before it enters the build output
  try {
    linkSync(src, dest);
  } catch {
    copyFileSync(src, dest);
  }
}

/**
 * Writes `outDir` from the engine's layouts. Each requested platform must be found exactly once, else the build
 * fails: a partial or ambiguous index is never written.
 */
export function assembleLayout(
  sources: Array<{ layoutDir: string; platforms: string[] }>,
  outDir: string,
  annotations: Record<string, string>,
  refName: string,
): AssembledIndex {
  const writer = new OciLayoutWriter(outDir);
  const byPlatform = new Map<string, { layout: OciLayout; descriptor: Descriptor }[]>();
  const attestationsOf = new Map<string, { layout: OciLayout; descriptor: Descriptor }[]>();
  for (const source of sources) {
    const layout = OciLayout.open(source.layoutDir);
    const found = layoutManifests(layout);
    for (const d of found.attestations) {
      const subject = attestationSubject(d)!;
      attestationsOf.set(subject, [...(attestationsOf.get(subject) ?? []), { layout, descriptor: d }]);
    }
    for (const d of found.images) {
      const p = platformString(d.platform!);
      if (!source.platforms.includes(p)) continue;
      byPlatform.set(p, [...(byPlatform.get(p) ?? []), { layout, descriptor: d }]);
    }
  }
  const wanted = sources.flatMap((s) => s.platforms);
  const platforms: AssembledPlatform[] = [];
  for (const p of wanted) {
    const found = byPlatform.get(p) ?? [];
    if (found.length !== 1) {
      throw new Error(
        `the engine's output holds ${found.length} manifest(s) for ${p} (expected exactly 1); nothing was written`,
      );
    }
    const { layout, descriptor } = found[0];
    const manifest = manifestSchema.parse(layout.readJsonBlob(descriptor.digest));
    for (const blob of [manifest.config, ...manifest.layers]) copyBlob(layout, writer, blob.digest);
    copyBlob(layout, writer, descriptor.digest);
    platforms.push({
      platform: p,
      descriptor: {
        mediaType: descriptor.mediaType,
        digest: descriptor.digest,
        size: descriptor.size,
        platform: descriptor.platform,
      },
      manifest,
    });
  }
  const attestations: AssembledAttestation[] = [];
  for (const p of platforms) {
    for (const { layout, descriptor } of attestationsOf.get(p.descriptor.digest) ?? []) {
      if (attestations.some((a) => a.descriptor.digest === descriptor.digest)) continue;
      const manifest = manifestSchema.parse(layout.readJsonBlob(descriptor.digest));
      for (const blob of [manifest.config, ...manifest.layers]) copyBlob(layout, writer, blob.digest);
      copyBlob(layout, writer, descriptor.digest);
      attestations.push({
        descriptor: {
          mediaType: descriptor.mediaType,
          digest: descriptor.digest,
          size: descriptor.size,
          annotations: descriptor.annotations,
          platform: descriptor.platform,
        },
        subject: p.descriptor.digest,
        platform: p.platform,
        predicateTypes: [
          ...new Set(
            manifest.layers.map((l) => l.annotations?.[PREDICATE_TYPE_ANNOTATION]).filter((t): t is string => !!t),
          ),
        ],
      });
    }
  }
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [...platforms.map((p) => p.descriptor), ...attestations.map((a) => a.descriptor)],
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
  const indexDescriptor = writer.putJson(index, MediaType.ociIndex);
  writer.writeTopIndex([{ ...indexDescriptor, annotations: { 'org.opencontainers.image.ref.name': refName } }]);
  return { index: indexDescriptor, platforms, attestations };
}
