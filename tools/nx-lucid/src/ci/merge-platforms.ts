/**
 * Native arm64 in CI: each platform is built and scanned on its own runner, so each hands on a single-platform
 * build output. This merges them, per service, into one output whose image index lists every platform's
 * manifest exactly as it was built and scanned (same manifest digests: nothing is rebuilt), so container-push
 * then pushes blobs, manifests, the index and the tags by digest as for any build.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { copyFile, ensureDir, removePath, writeJsonAtomic } from '../boundary/files';
import { randomUUID } from 'node:crypto';
import { ARTIFACTS, readArtifact, writeArtifact } from '../artifacts/artifacts';
import { assembleSbom, sbomParts } from '../artifacts/sbom';
import { BuildMetadata, METADATA_FILE, parseBuildMetadata, readBuildMetadata } from '../artifacts/metadata';
import { OciLayout } from '../oci/layout';
import { OciLayoutWriter } from '../oci/layout-writer';
import { Descriptor, ImageIndex, ImageManifest, platformString } from '../oci/types';

export interface MergedOutput {
  project: string;
  outputPath: string;
  index: string;
  platforms: string[];
}

const SAME_FIELDS = ['project', 'image', 'version', 'gitSha'] as const;

/** Merges `<from>/<project>` of every part into `<into>/<project>` (replaced). Throws, writing nothing, on a mismatch. */
export function mergePlatformOutputs(
  root: string,
  projects: readonly string[],
  into: string,
  from: readonly string[],
): MergedOutput[] {
  if (from.length < 2) throw new Error('merge-platforms needs at least two --from folders (one per platform)');
  if (from.some((f) => resolve(root, f) === resolve(root, into)))
    throw new Error(`--into ${into} must not be one of the --from folders`);
  const plans = projects.map((project) => planMerge(root, project, from));
  // Checked for every project before any is written (the merged SBOM itself needs the merged index's digest).
  for (const project of projects) platformSboms(root, project, from);
  return plans.map((plan) => {
    const merged = writeMerge(root, into, plan);
    mergeSboms(root, merged, from);
    return merged;
  });
}

/**
 * Each platform's scan/sbom.cdx.json (one platform each) → one SBOM of the merged index, the file CI attests to
 * the pushed digest. Nothing when no platform was scanned; an error when only some were.
 */
function platformSboms(root: string, project: string, from: readonly string[]) {
  const sboms = from.map((dir) => ({ dir, sbom: readArtifact(join(root, dir, project), ARTIFACTS.sbom) }));
  const missing = sboms.filter((s) => !s.sbom).map((s) => join(s.dir, project, ARTIFACTS.sbom.file));
  if (missing.length === sboms.length) return undefined;
  if (missing.length) throw new Error(`${project}: no SBOM in ${missing.join(', ')}, but the other platforms have one`);
  return sboms.map((s) => ({ dir: s.dir, sbom: s.sbom! }));
}

function mergeSboms(root: string, merged: MergedOutput, from: readonly string[]): void {
  const sboms = platformSboms(root, merged.project, from);
  if (!sboms) return;
  const [first] = sboms.map((s) => s.sbom);
  const meta = first.metadata as { timestamp?: string; tools?: unknown };
  const sbom = assembleSbom(
    {
      image: first.metadata.component.name,
      digest: merged.index,
      specVersion: first.specVersion,
      schema: (first as { $schema?: unknown }).$schema,
      tools: meta.tools,
      serialNumber: `urn:uuid:${randomUUID()}`,
      timestamp: meta.timestamp ?? new Date().toISOString(),
    },
    sboms.flatMap((s) => sbomParts(s.sbom!, join(s.dir, merged.project, ARTIFACTS.sbom.file))),
  );
  writeArtifact(join(root, merged.outputPath), ARTIFACTS.sbom, sbom);
}

interface MergePlan {
  project: string;
  parts: Array<{ meta: BuildMetadata; layout: OciLayout; index: ImageIndex; indexDescriptor: Descriptor }>;
}

function planMerge(root: string, project: string, from: readonly string[]): MergePlan {
  const parts = from.map((dir) => {
    const meta = readBuildMetadata(root, join(dir, project));
    const layout = OciLayout.open(join(root, dir, project, meta.layout));
    const indexDescriptor = layout.imageIndexDescriptor();
    return { meta, layout, indexDescriptor, index: layout.readJsonBlob<ImageIndex>(indexDescriptor.digest) };
  });
  const first = parts[0].meta;
  for (const [i, { meta }] of parts.entries()) {
    for (const field of SAME_FIELDS) {
      if (meta[field] !== first[field]) {
        throw new Error(
          `${project}: ${from[i]} has ${field} ${JSON.stringify(meta[field])} but ${from[0]} has ${JSON.stringify(first[field])}: not the same build`,
        );
      }
    }
  }
  const seen = new Map<string, string>();
  for (const [i, { meta }] of parts.entries()) {
    for (const m of meta.manifests) {
      const p = platformString(m.platform);
      if (seen.has(p)) throw new Error(`${project}: platform ${p} is in both ${seen.get(p)} and ${from[i]}`);
      seen.set(p, from[i]);
    }
  }
  return { project, parts };
}

function writeMerge(root: string, into: string, plan: MergePlan): MergedOutput {
  const outputPath = join(into, plan.project);
  const first = plan.parts[0];
  removePath(join(root, outputPath));
  const writer = new OciLayoutWriter(join(root, outputPath, first.meta.layout));
  for (const part of plan.parts) {
    const blobs = join(part.layout.dir, 'blobs', 'sha256');
    for (const name of readdirSync(blobs)) {
      const target = join(writer.dir, 'blobs', 'sha256', name);
      if (!existsSync(target)) copyFile(join(blobs, name), target);
    }
  }
  // Every platform's (and attestation's) entry, byte for byte as its own build wrote it.
  const index: ImageIndex = { ...first.index, manifests: plan.parts.flatMap((p) => p.index.manifests) };
  const { digest: _d, size: _s, ...descriptorRest } = first.indexDescriptor;
  const indexDescriptor = writer.putJson(index, first.indexDescriptor.mediaType, descriptorRest);
  writer.writeTopIndex([indexDescriptor]);

  const sizes = new Map<string, number>();
  for (const part of plan.parts) {
    for (const m of part.meta.manifests) {
      const manifest = part.layout.readJsonBlob<ImageManifest>(m.digest);
      for (const b of [manifest.config, ...manifest.layers]) sizes.set(b.digest, b.size);
    }
  }
  const metadata = parseBuildMetadata({
    ...first.meta,
    index: { digest: indexDescriptor.digest, mediaType: indexDescriptor.mediaType, size: indexDescriptor.size },
    manifests: plan.parts.flatMap((p) => p.meta.manifests),
    compressedSize: [...sizes.values()].reduce((a, b) => a + b, 0),
  });
  ensureDir(join(root, outputPath));
  writeJsonAtomic(join(root, outputPath, METADATA_FILE), metadata);
  return {
    project: plan.project,
    outputPath,
    index: indexDescriptor.digest,
    platforms: metadata.manifests.map((m) => platformString(m.platform)),
  };
}
