/**
 * Base seeding for the daemonless engines. `buildah manifest push` into an OCI layout compresses every layer the
 * layout does not already hold, so each build recompressed the whole base (two platforms, ~50 MB each) only for
 * slim.ts to throw the copies away. containers/image skips a layer whose digest the layout already has: the base's
 * uncompressed layers (named by their diff_ids) are linked into the staging layout first, the push compresses only
 * the service's own layers, and slim replaces the base layers with the base's own compressed blobs as before —
 * the output is byte for byte what it was. The uncompressed layers are made once per machine into the blob store
 * (checked against their digests there).
 */
import { gunzipSync } from 'node:zlib';
import { parseImageReference } from '../image/naming';
import { BlobStore } from '../oci/blob-store';
import { MediaType } from '../oci/media-types';
import { OciLayoutWriter } from '../oci/layout-writer';
import { BlobFetcher, registryFetcher } from '../registry/blob-source';
import { BasePull, BaseReader, readBase, skopeoBaseReader } from './slim';

/** One uncompressed base layer: its digest (the diff_id) and its file in the blob store. */
export interface BaseSeed {
  digest: string;
  file: string;
}

/** A layer's tar from its compressed blob; undefined for a compression this does not undo (zstd). */
function uncompressed(mediaType: string, blob: Buffer): Buffer | undefined {
  if (mediaType === MediaType.ociLayerGzip || mediaType === MediaType.dockerLayerGzip) return gunzipSync(blob);
  if (mediaType === 'application/vnd.oci.image.layer.v1.tar') return blob;
  return undefined;
}

/** The base's uncompressed layers for `platforms`, made in the store when missing (fetched from where the base is). */
export async function baseLayerSeeds(
  base: BasePull,
  platforms: string[],
  store: BlobStore,
  io: { read?: BaseReader; fetch?: BlobFetcher } = {},
): Promise<BaseSeed[]> {
  const byPlatform = await readBase(base, store, io.read ?? skopeoBaseReader);
  const { registry, repository } = parseImageReference(base.pullRef);
  const source = { ref: base.ref, registry, repository, digest: base.digest, insecure: base.insecure };
  const seeds: BaseSeed[] = [];
  for (const platform of platforms) {
    const from = byPlatform.get(platform);
    if (!from) continue;
    for (const [i, layer] of from.layers.entries()) {
      const diffId = from.diffIds[i];
      if (!diffId || layer.urls) continue;
      if (!store.has(diffId)) {
        const blob = store.has(layer.digest)
          ? store.read(layer.digest)
          : await (io.fetch ?? registryFetcher)(source, layer.digest);
        store.put(layer.digest, blob); // checked; verify and scan read it from there too
        const tar = uncompressed(layer.mediaType, blob);
        if (!tar) continue;
        store.put(diffId, tar); // refuses a tar that does not hash to the config's diff_id
      }
      seeds.push({ digest: diffId, file: store.path(diffId) });
    }
  }
  return seeds;
}

/** An OCI layout at `layoutDir` that holds only the seeds (hard links into the store, else copies). */
export function plantSeeds(layoutDir: string, seeds: readonly BaseSeed[]): void {
  if (!seeds.length) return;
  const writer = new OciLayoutWriter(layoutDir);
  for (const s of seeds) writer.linkBlob(s.digest, s.file);
  writer.writeTopIndex([]);
}
