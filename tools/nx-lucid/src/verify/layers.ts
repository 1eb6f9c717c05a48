import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import * as tarStream from 'tar-stream';
import type { LayerEntry } from './filesystem';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

function startsWith(data: Buffer, magic: number[]): boolean {
  return magic.every((b, i) => data[i] === b);
}

/**
 * The uncompressed tar of a layer blob. Decided by the content, not the media type: Docker-format
 * layers are named tar.gzip, and some builders label plain tars as gzip.
 */
export function decompressLayer(data: Buffer, digest: string): Buffer {
  if (startsWith(data, GZIP_MAGIC)) return zlib.gunzipSync(data);
  if (startsWith(data, ZSTD_MAGIC)) {
    // zstd arrived in node:zlib in Node 22.15; say so rather than misread the layer.
    const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Buffer) => Buffer }).zstdDecompressSync;
    if (!zstd)
      throw new Error(
        `layer ${digest} is zstd-compressed, which this Node ${process.version} cannot read (needs Node >= 22.15)`,
      );
    return zstd(data);
  }
  return data;
}

/**
 * The tar headers of a layer, in archive order (contents are skipped), streamed: the uncompressed tar is never
 * held whole in memory. Uses the entry-event API that tar-stream 2 (what Nx itself installs) and 3 share, so the
 * plugin's range dedupes with Nx's copy.
 */
export async function readLayerEntries(data: Buffer, digest: string): Promise<LayerEntry[]> {
  // zstd layers are decompressed whole first (a Node too old for zstd is its own error, not a tar one).
  const zstdTar = startsWith(data, ZSTD_MAGIC) ? decompressLayer(data, digest) : undefined;
  const entries: LayerEntry[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const extract = tarStream.extract();
      extract.on('entry', (header, stream, next) => {
        entries.push({ name: header.name, type: header.type, linkname: header.linkname });
        stream.on('end', () => next());
        stream.resume();
      });
      extract.on('finish', () => resolve());
      extract.on('error', reject);
      const source = Readable.from([zstdTar ?? data]);
      source.on('error', reject);
      if (!zstdTar && startsWith(data, GZIP_MAGIC)) {
        const gunzip = zlib.createGunzip();
        gunzip.on('error', reject);
        source.pipe(gunzip).pipe(extract);
      } else source.pipe(extract);
    });
  } catch (e) {
    throw new Error(`layer ${digest} is not a readable tar archive: ${(e as Error).message}`, { cause: e });
  }
  return entries;
}

/**
 * Each layer file walked once per process: a batch that verifies many services on one base reads the base's layers
 * once (keyed by the file that holds the blob and its digest; the layout checks the digest on that one read).
 */
const walked = new Map<string, Promise<LayerEntry[]>>();

export function layerEntriesOnce(file: string, digest: string, read: () => Buffer): Promise<LayerEntry[]> {
  const key = `${file}\0${digest}`;
  let entries = walked.get(key);
  if (!entries) {
    entries = readLayerEntries(read(), digest);
    walked.set(key, entries);
    entries.catch(() => walked.delete(key));
  }
  return entries;
}
