/**
 * Turns what an engine wrote into the build's layout: index.json → exactly one OCI image index → one manifest per
 * platform, in the configured platform order (buildah lists them in completion order, which varies run to run),
 * then each platform's BuildKit attestation manifest in the same order, with the index annotations, and only the
 * blobs that index reaches.
 */
import { existsSync } from 'node:fs';
import { linkOrCopy } from '../boundary/files';
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

/** Digests whose files were checked where they came from (the blob store's seeded base layers). */
type Trusted = ReadonlySet<string>;

function copyBlob(from: OciLayout, to: OciLayoutWriter, digest: string, trusted: Trusted): void {
  const src = from.blobPath(digest);
  const dest = `${to.dir}/blobs/sha256/${digest.slice(7)}`;
  if (existsSync(dest)) return;
  if (!trusted.has(digest)) from.readBlob(digest); // checks the digest before it enters the build output
  linkOrCopy(src, dest);
}

type Found = { layout: OciLayout; descriptor: Descriptor };

/** Every engine layout's platform manifests (only the platforms asked of it) and attestations, by subject. */
function collectManifests(sources: Array<{ layoutDir: string; platforms: string[] }>): {
  byPlatform: Map<string, Found[]>;
  attestationsOf: Map<string, Found[]>;
} {
  const byPlatform = new Map<string, Found[]>();
  const attestationsOf = new Map<string, Found[]>();
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
  return { byPlatform, attestationsOf };
}

/** Copies a manifest and the blobs it names into the output; returns the parsed manifest. */
function copyManifest(found: Found, writer: OciLayoutWriter, trusted: Trusted = new Set()): ImageManifest {
  const manifest = manifestSchema.parse(found.layout.readJsonBlob(found.descriptor.digest));
  for (const blob of [manifest.config, ...manifest.layers]) copyBlob(found.layout, writer, blob.digest, trusted);
  copyBlob(found.layout, writer, found.descriptor.digest, trusted);
  return manifest;
}

/** One manifest per wanted platform, in the wanted order; none or two for a platform fails the build. */
function assemblePlatforms(
  wanted: string[],
  byPlatform: Map<string, Found[]>,
  writer: OciLayoutWriter,
  trusted: Trusted,
) {
  return wanted.map((p): AssembledPlatform => {
    const found = byPlatform.get(p) ?? [];
    if (found.length !== 1) {
      throw new Error(
        `the engine's output holds ${found.length} manifest(s) for ${p} (expected exactly 1); nothing was written`,
      );
    }
    const { mediaType, digest, size, platform } = found[0].descriptor;
    return {
      platform: p,
      descriptor: { mediaType, digest, size, platform },
      manifest: copyManifest(found[0], writer, trusted),
    };
  });
}

/** Each platform's attestation manifests (BuildKit's), after the platforms, in the same order. */
function assembleAttestations(
  platforms: AssembledPlatform[],
  attestationsOf: Map<string, Found[]>,
  writer: OciLayoutWriter,
): AssembledAttestation[] {
  const attestations: AssembledAttestation[] = [];
  for (const p of platforms) {
    for (const found of attestationsOf.get(p.descriptor.digest) ?? []) {
      const { mediaType, digest, size, annotations, platform } = found.descriptor;
      if (attestations.some((a) => a.descriptor.digest === digest)) continue;
      const manifest = copyManifest(found, writer);
      attestations.push({
        descriptor: { mediaType, digest, size, annotations, platform },
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
  return attestations;
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
  trusted: Trusted = new Set(),
): AssembledIndex {
  const writer = new OciLayoutWriter(outDir);
  const { byPlatform, attestationsOf } = collectManifests(sources);
  const platforms = assemblePlatforms(
    sources.flatMap((s) => s.platforms),
    byPlatform,
    writer,
    trusted,
  );
  const attestations = assembleAttestations(platforms, attestationsOf, writer);
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
