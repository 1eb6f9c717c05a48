/**
 * Slim build outputs: the base image's layers leave the build's layout for the machine's blob store and are
 * listed, with where they came from, in external-blobs.json. What stays (index, manifests, configs, the layers
 * the service adds) is the Nx cache entry: kilobytes instead of the whole base per service.
 */
import { rmSync } from 'node:fs';
import { runProcess } from '../boundary/process';
import { BlobStore } from '../oci/blob-store';
import { sha256Digest } from '../oci/digest';
import { ExternalBlobs, writeExternalBlobs } from '../oci/external-blobs';
import { OciLayout } from '../oci/layout';
import { isIndexMediaType } from '../oci/media-types';
import { indexSchema, manifestSchema } from '../oci/types';
import { parseImageReference } from '../image/naming';

export interface BasePull {
  /** As the Dockerfile names it. */
  ref: string;
  /** Where the build pulled it from (a mirror when configured). */
  pullRef: string;
  digest: string;
  insecure: boolean;
}

/** Raw manifest bytes by digest, checked (skopeo prints them exactly as served). */
export type ManifestReader = (registry: string, repository: string, digest: string, insecure: boolean) => Promise<Buffer>;

export const skopeoManifestReader: ManifestReader = async (registry, repository, digest, insecure) => {
  const r = await runProcess('skopeo', ['inspect', '--raw', '--retry-times', '1', ...(insecure ? ['--tls-verify=false'] : []), `docker://${registry}/${repository}@${digest}`], {
    timeoutMs: 60000,
  });
  const bytes = Buffer.from(r.stdout, 'utf8');
  if (sha256Digest(bytes) !== digest) throw new Error(`${registry}/${repository}@${digest}: the manifest served hashes to ${sha256Digest(bytes)}`);
  return bytes;
};

/** Every layer digest of the base (all platforms of an index). */
export async function baseLayers(base: BasePull, read: ManifestReader): Promise<Set<string>> {
  const { registry, repository } = parseImageReference(base.pullRef);
  const layers = new Set<string>();
  const visit = async (digest: string, depth: number): Promise<void> => {
    const doc = JSON.parse((await read(registry, repository, digest, base.insecure)).toString('utf8')) as { mediaType?: string; manifests?: unknown };
    if (Array.isArray(doc.manifests) || isIndexMediaType(doc.mediaType)) {
      if (depth > 2) return;
      for (const child of indexSchema.parse(doc).manifests) if (child.platform?.os !== 'unknown') await visit(child.digest, depth + 1);
      return;
    }
    for (const l of manifestSchema.parse(doc).layers) layers.add(l.digest);
  };
  await visit(base.digest, 0);
  return layers;
}

/**
 * Moves the base layers of `layoutDir` (the just-assembled output) into the store and writes external-blobs.json.
 * Nothing changes when the base cannot be read: the output stays complete, only larger.
 */
export async function slimLayout(layoutDir: string, base: BasePull, store: BlobStore, log: (line: string) => void, read: ManifestReader = skopeoManifestReader): Promise<ExternalBlobs | undefined> {
  let fromBase: Set<string>;
  try {
    fromBase = await baseLayers(base, read);
  } catch (e) {
    log(`note: the base ${base.pullRef} manifests could not be read (${(e as Error).message.split('\n')[0]}); the output keeps its base layers`);
    return undefined;
  }
  const layout = OciLayout.open(layoutDir);
  const index = indexSchema.parse(layout.readJsonBlob(layout.imageIndexDescriptor().digest));
  const external = new Map<string, ExternalBlobs['blobs'][number]>();
  for (const d of index.manifests) {
    if (isIndexMediaType(d.mediaType)) continue;
    for (const l of manifestSchema.parse(layout.readJsonBlob(d.digest)).layers) {
      if (fromBase.has(l.digest) && layout.hasBlob(l.digest)) external.set(l.digest, { digest: l.digest, size: l.size, mediaType: l.mediaType });
    }
  }
  for (const b of external.values()) {
    store.putFile(b.digest, layout.blobPath(b.digest));
    rmSync(layout.blobPath(b.digest));
  }
  const { registry, repository } = parseImageReference(base.pullRef);
  const value: ExternalBlobs = { schemaVersion: 1, source: { ref: base.ref, registry, repository, digest: base.digest, insecure: base.insecure }, blobs: [...external.values()] };
  writeExternalBlobs(layoutDir, value);
  const bytes = value.blobs.reduce((n, b) => n + b.size, 0);
  log(`${value.blobs.length} base layer(s) (${bytes} bytes) referenced from ${registry}/${repository}, kept once in the blob store ${store.dir}`);
  return value;
}
