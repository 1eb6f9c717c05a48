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
 * The tar headers of a layer, in archive order (contents are skipped). Uses the entry-event API that tar-stream 2
 * (what Nx itself installs) and 3 share, so the plugin's range dedupes with Nx's copy.
 */
export async function readLayerEntries(data: Buffer, digest: string): Promise<LayerEntry[]> {
  const tar = decompressLayer(data, digest);
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
      const source = Readable.from([tar]);
      source.on('error', reject);
      source.pipe(extract);
    });
  } catch (e) {
    throw new Error(`layer ${digest} is not a readable tar archive: ${(e as Error).message}`, { cause: e });
  }
  return entries;
}
