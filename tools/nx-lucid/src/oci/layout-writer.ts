import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Digest } from './digest';
import { MediaType } from './media-types';
import { Descriptor, ImageIndex } from './types';

/** Writes an OCI image layout (blobs are content-addressed; writing the same blob twice is a no-op). */
export class OciLayoutWriter {
  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  }

  putBlob(data: Buffer, mediaType: string, extra: Partial<Descriptor> = {}): Descriptor {
    const digest = sha256Digest(data);
    const path = join(this.dir, 'blobs', 'sha256', digest.slice(7));
    if (!existsSync(path)) writeFileSync(path, data);
    return { mediaType, digest, size: data.length, ...extra };
  }

  putJson(value: unknown, mediaType: string, extra: Partial<Descriptor> = {}): Descriptor {
    return this.putBlob(Buffer.from(JSON.stringify(value)), mediaType, extra);
  }

  /** index.json: the layout's entry points (for a build, one image index). */
  writeTopIndex(manifests: Descriptor[]): void {
    const top: ImageIndex = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests };
    writeFileSync(join(this.dir, 'index.json'), JSON.stringify(top));
  }
}
