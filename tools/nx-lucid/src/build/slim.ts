/**
 * Slim build outputs. The engine recompresses the base image's layers, so its copies differ byte for byte from
 * the registry's although their content (diff_id) is the same. Each manifest is therefore rewritten to reference
 * the base's own compressed layers where the diff_ids agree (as BuildKit does: the layer is the base's blob), and
 * the engine's copies are dropped. What stays (index, manifests, configs, the service's own layers) is the Nx cache
 * entry; the base layers are listed in external-blobs.json and fetched on demand into the machine's blob store.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { removePath } from '../boundary/files';
import { join } from 'node:path';
import { runProcess } from '../boundary/process';
import { BlobStore } from '../oci/blob-store';
import { ExternalBlobs, writeExternalBlobs } from '../oci/external-blobs';
import { OciLayout } from '../oci/layout';
import { OciLayoutWriter } from '../oci/layout-writer';
import { isIndexMediaType, MediaType } from '../oci/media-types';
import {
  Descriptor,
  imageConfigSchema,
  ImageManifest,
  indexSchema,
  manifestSchema,
  platformString,
} from '../oci/types';
import { parseImageReference } from '../image/naming';
import type { AssembledIndex, AssembledPlatform } from './assemble';

export interface BasePull {
  /** As the Dockerfile names it. */
  ref: string;
  /** Where the build pulled it from (a mirror when configured). */
  pullRef: string;
  digest: string;
  insecure: boolean;
}

/** Raw bytes of the base's manifest `digest`, or (with `config`) of the config blob that manifest names. */
export type BaseReader = (
  registry: string,
  repository: string,
  digest: string,
  insecure: boolean,
  config?: string,
) => Promise<Buffer>;

export const skopeoBaseReader: BaseReader = async (registry, repository, digest, insecure, config) => {
  const args = [
    'inspect',
    '--raw',
    ...(config ? ['--config'] : []),
    '--retry-times',
    '1',
    ...(insecure ? ['--tls-verify=false'] : []),
    `docker://${registry}/${repository}@${digest}`,
  ];
  return Buffer.from((await runProcess('skopeo', args, { timeoutMs: 60000 })).stdout, 'utf8');
};

/** Docker's gzip layer type is the same format as OCI's; an OCI manifest names it the OCI way. */
const ociLayerType = (mediaType: string) =>
  mediaType === MediaType.dockerLayerGzip ? MediaType.ociLayerGzip : mediaType;

interface BasePlatform {
  layers: Descriptor[];
  diffIds: string[];
}

/** The base's layers and diff_ids per platform. Manifests and configs are cached in the store by digest (checked). */
export async function readBase(base: BasePull, store: BlobStore, read: BaseReader): Promise<Map<string, BasePlatform>> {
  const { registry, repository } = parseImageReference(base.pullRef);
  const blob = async (digest: string, config?: string) => {
    const want = config ?? digest;
    if (store.has(want)) return store.read(want);
    const bytes = await read(registry, repository, digest, base.insecure, config);
    store.put(want, bytes); // refuses bytes that do not hash to the digest
    return bytes;
  };
  const out = new Map<string, BasePlatform>();
  const doc = JSON.parse((await blob(base.digest)).toString('utf8')) as { mediaType?: string; manifests?: unknown };
  const entries: Array<{ digest: string; platform?: string }> =
    Array.isArray(doc.manifests) || isIndexMediaType(doc.mediaType)
      ? indexSchema
          .parse(doc)
          .manifests.filter((m) => m.platform && m.platform.os !== 'unknown')
          .map((m) => ({ digest: m.digest, platform: platformString(m.platform!) }))
      : [{ digest: base.digest }];
  for (const e of entries) {
    const manifest = manifestSchema.parse(JSON.parse((await blob(e.digest)).toString('utf8')));
    const config = imageConfigSchema.parse(JSON.parse((await blob(e.digest, manifest.config.digest)).toString('utf8')));
    out.set(
      e.platform ?? platformString({ os: config.os, architecture: config.architecture, variant: config.variant }),
      { layers: manifest.layers, diffIds: config.rootfs.diff_ids },
    );
  }
  return out;
}

type External = Map<string, ExternalBlobs['blobs'][number]>;

/** How many leading layers of the build are the base's own (same diff_ids, no foreign URLs). */
function sharedLayers(from: BasePlatform, p: AssembledPlatform, diffIds: string[]): number {
  let shared = 0;
  while (
    shared < from.layers.length &&
    shared < p.manifest.layers.length &&
    diffIds[shared] === from.diffIds[shared] &&
    !from.layers[shared].urls
  )
    shared++;
  return shared;
}

/**
 * One platform's manifest onto the base's blobs (the layers it shares go to `external`); unchanged when nothing
 * is shared, or, with attestations, kept as built (an attestation names its manifest by digest).
 */
function rebasePlatform(
  p: AssembledPlatform,
  from: BasePlatform | undefined,
  out: { layout: OciLayout; writer: OciLayoutWriter; external: External; attested: boolean },
): AssembledPlatform {
  const diffIds = imageConfigSchema.parse(out.layout.readJsonBlob(p.manifest.config.digest)).rootfs.diff_ids;
  if (!from) return p;
  const shared = sharedLayers(from, p, diffIds);
  if (shared === 0) return p;
  const layers = p.manifest.layers.map((l, i) => {
    if (i >= shared) return l;
    const b = from.layers[i];
    return { mediaType: ociLayerType(b.mediaType), digest: b.digest, size: b.size };
  });
  const unchanged = layers.every(
    (l, i) => l.digest === p.manifest.layers[i].digest && l.mediaType === p.manifest.layers[i].mediaType,
  );
  if (unchanged || out.attested) {
    // With attestations only layers that already are the base's own blobs (BuildKit keeps them) move out.
    p.manifest.layers.slice(0, shared).forEach((l, i) => {
      if (l.digest === from.layers[i].digest)
        out.external.set(l.digest, { digest: l.digest, size: l.size, mediaType: l.mediaType });
    });
    return p;
  }
  for (const l of layers.slice(0, shared))
    out.external.set(l.digest, { digest: l.digest, size: l.size, mediaType: l.mediaType });
  const manifest: ImageManifest = {
    ...(JSON.parse(out.layout.readBlob(p.descriptor.digest).toString('utf8')) as ImageManifest),
    layers,
  };
  const d = out.writer.putJson(manifest, p.descriptor.mediaType);
  return { platform: p.platform, manifest, descriptor: { ...p.descriptor, digest: d.digest, size: d.size } };
}

/** The new index (platforms renamed, attestations where they were) and only the blobs it reaches. */
function writeSlimIndex(
  layoutDir: string,
  layout: OciLayout,
  writer: OciLayoutWriter,
  assembled: AssembledIndex,
  platforms: AssembledPlatform[],
  external: External,
): Descriptor {
  const oldIndex = JSON.parse(layout.readBlob(assembled.index.digest).toString('utf8')) as Record<string, unknown>;
  const renamed = new Map(assembled.platforms.map((p, i) => [p.descriptor.digest, platforms[i].descriptor]));
  const oldEntries = (oldIndex.manifests as Descriptor[] | undefined) ?? [];
  const index = writer.putJson(
    { ...oldIndex, manifests: oldEntries.map((d) => renamed.get(d.digest) ?? d) },
    assembled.index.mediaType,
  );
  const top = layout.topIndex().manifests[0];
  writer.writeTopIndex([{ ...index, ...(top?.annotations ? { annotations: top.annotations } : {}) }]);
  // Drop what the new index no longer reaches: the engine's recompressed base layers, the old manifests and index.
  const attestationBlobs = assembled.attestations.flatMap((a) => {
    const m = manifestSchema.parse(layout.readJsonBlob(a.descriptor.digest));
    return [a.descriptor.digest, m.config.digest, ...m.layers.map((l) => l.digest)];
  });
  const keep = new Set([
    index.digest,
    ...attestationBlobs,
    ...platforms.flatMap((p) => [
      p.descriptor.digest,
      p.manifest.config.digest,
      ...p.manifest.layers.filter((l) => !external.has(l.digest)).map((l) => l.digest),
    ]),
  ]);
  for (const hex of readdirSync(join(layoutDir, 'blobs', 'sha256')))
    if (!keep.has(`sha256:${hex}`)) removePath(join(layoutDir, 'blobs', 'sha256', hex));
  return index;
}

/**
 * Rewrites the assembled layout in `layoutDir` onto the base's blobs and writes external-blobs.json; returns the
 * new index. When the base cannot be read the output stays as it was: complete, only larger.
 */
export async function slimLayout(
  layoutDir: string,
  assembled: AssembledIndex,
  base: BasePull,
  store: BlobStore,
  log: (line: string) => void,
  read: BaseReader = skopeoBaseReader,
): Promise<AssembledIndex> {
  let basePlatforms: Map<string, BasePlatform>;
  try {
    basePlatforms = await readBase(base, store, read);
  } catch (e) {
    log(
      `note: the base ${base.pullRef} could not be read (${(e as Error).message.split('\n')[0]}); the output keeps its base layers`,
    );
    return assembled;
  }
  const layout = OciLayout.open(layoutDir);
  const writer = new OciLayoutWriter(layoutDir);
  const external: External = new Map();
  const out = { layout, writer, external, attested: assembled.attestations.length > 0 };
  const platforms = assembled.platforms.map((p) => rebasePlatform(p, basePlatforms.get(p.platform), out));
  if (!external.size) {
    log(`note: no layer of ${base.ref} was found unchanged in the build; the output keeps every layer`);
    return assembled;
  }
  const index = writeSlimIndex(layoutDir, layout, writer, assembled, platforms, external);
  const { registry, repository } = parseImageReference(base.pullRef);
  writeExternalBlobs(layoutDir, {
    schemaVersion: 1,
    source: { ref: base.ref, registry, repository, digest: base.digest, insecure: base.insecure },
    blobs: [...external.values()],
  });
  const bytes = [...external.values()].reduce((n, b) => n + b.size, 0);
  log(
    `${external.size} base layer(s) (${bytes} bytes) referenced from ${registry}/${repository} instead of stored in the output`,
  );
  return { index, platforms, attestations: assembled.attestations };
}

/** Test hook: a reader over a local OCI layout holding the base (manifests and configs by digest). */
export function layoutBaseReader(dir: string): BaseReader {
  return async (_registry, _repository, digest, _insecure, config) =>
    readFileSync(join(dir, 'blobs', 'sha256', (config ?? digest).slice(7)));
}
