import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { copyFile, ensureDir, freshDir, linkOrCopy, writeFilePlain } from '../boundary/files';
import { sha256Digest } from './digest';
import { MediaType } from './media-types';
import { Descriptor, ImageIndex } from './types';

/** Writes an OCI image layout (blobs are content-addressed; writing the same blob twice is a no-op). */
export class OciLayoutWriter {
  constructor(readonly dir: string) {
    ensureDir(join(dir, 'blobs', 'sha256'));
    writeFilePlain(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  }

  /** A new, empty layout at `dir` (whatever was there is removed). */
  static fresh(dir: string): OciLayoutWriter {
    freshDir(dir);
    return new OciLayoutWriter(dir);
  }

  private blobPath(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', digest.slice(7));
  }

  putBlob(data: Buffer, mediaType: string, extra: Partial<Descriptor> = {}): Descriptor {
    const digest = sha256Digest(data);
    const path = this.blobPath(digest);
    if (!existsSync(path)) writeFilePlain(path, data);
    return { mediaType, digest, size: data.length, ...extra };
  }

  putJson(value: unknown, mediaType: string, extra: Partial<Descriptor> = {}): Descriptor {
    return this.putBlob(Buffer.from(JSON.stringify(value)), mediaType, extra);
  }

  /** index.json: the layout's entry points (for a build, one image index). */
  writeTopIndex(manifests: Descriptor[]): void {
    const top: ImageIndex = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests };
    writeFilePlain(join(this.dir, 'index.json'), JSON.stringify(top));
  }

  /** A blob already on disk, by digest (hard link, else `fallback`); present blobs are left as they are. */
  linkBlob(digest: string, file: string, fallback: 'copy' | 'symlink' = 'copy'): void {
    const path = this.blobPath(digest);
    if (!existsSync(path)) linkOrCopy(file, path, fallback);
  }

  /** index.json copied from another layout (the same entry points over blobs linked in). */
  copyTopIndex(fromDir: string): void {
    copyFile(join(fromDir, 'index.json'), join(this.dir, 'index.json'));
  }
}
