import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { OciLayoutWriter } from '../../oci/layout-writer';
import { MediaType } from '../../oci/media-types';
import type { Descriptor } from '../../oci/types';

/** Test helper: hand-made layers and layouts, for the cases a builder cannot produce without RUN. */
export interface TarEntrySpec {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
  content?: string;
}

export async function packLayer(entries: TarEntrySpec[], gzip = true): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const body = type === 'file' ? Buffer.from(e.content ?? '') : undefined;
    await new Promise<void>((resolve, reject) =>
      pack.entry(
        {
          name: e.name,
          type,
          linkname: e.linkname,
          mode: type === 'directory' ? 0o755 : 0o644,
          size: body?.length ?? 0,
        },
        body ?? Buffer.alloc(0),
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }
  pack.finalize();
  await done;
  const tar = Buffer.concat(chunks);
  return gzip ? gzipSync(tar) : tar;
}

export interface HandMadeImage {
  platform: { os: string; architecture: string; variant?: string };
  /** Overrides the config's os/architecture (to make it disagree with the index). */
  configPlatform?: { os: string; architecture: string; variant?: string };
  user?: string;
  labels?: Record<string, string>;
  layers: Array<{ entries: TarEntrySpec[]; gzip?: boolean }>;
}

/** Writes an OCI layout whose index.json references one image index with one manifest per image. */
export async function writeLayout(dir: string, images: HandMadeImage[]): Promise<{ layers: string[][] }> {
  const writer = new OciLayoutWriter(dir);
  const manifests: Descriptor[] = [];
  const allLayers: string[][] = [];
  for (const image of images) {
    const layers: Descriptor[] = [];
    for (const l of image.layers) {
      const gzip = l.gzip ?? true;
      layers.push(writer.putBlob(await packLayer(l.entries, gzip), gzip ? MediaType.ociLayerGzip : MediaType.ociLayer));
    }
    allLayers.push(layers.map((l) => l.digest));
    const cp = image.configPlatform ?? image.platform;
    const config = writer.putJson(
      {
        ...cp,
        config: { ...(image.user !== undefined ? { User: image.user } : {}), Labels: image.labels ?? {} },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      },
      MediaType.ociConfig,
    );
    manifests.push(
      writer.putJson({ schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers }, MediaType.ociManifest, {
        platform: image.platform,
      }),
    );
  }
  const index = writer.putJson({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }, MediaType.ociIndex);
  writer.writeTopIndex([index]);
  return { layers: allLayers };
}
