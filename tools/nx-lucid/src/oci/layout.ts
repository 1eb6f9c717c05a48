import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Digest, assertDigest } from './digest';
import { isIndexMediaType } from './media-types';
import { Descriptor, ImageIndex, indexSchema } from './types';

/** Reads an OCI image layout directory (oci-layout, index.json, blobs/sha256/…). */
export class OciLayout {
  constructor(readonly dir: string) {}

  static open(dir: string): OciLayout {
    if (!existsSync(join(dir, 'oci-layout')) || !existsSync(join(dir, 'index.json'))) {
      throw new Error(
        `${dir} is not an OCI image layout (no oci-layout or index.json); run the container-build target first`,
      );
    }
    return new OciLayout(dir);
  }

  blobPath(digest: string): string {
    assertDigest(digest);
    return join(this.dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
  }

  hasBlob(digest: string): boolean {
    return existsSync(this.blobPath(digest));
  }

  /** The file that holds a blob (a sourced layout may answer with the machine's blob store). */
  blobFile(digest: string): string {
    return this.blobPath(digest);
  }

  /** Reads a blob and checks it against its digest: a corrupt cache restore must not be pushed. */
  readBlob(digest: string): Buffer {
    const path = this.blobPath(digest);
    if (!existsSync(path)) throw new Error(`blob ${digest} is missing from ${this.dir}`);
    const data = readFileSync(path);
    const actual = sha256Digest(data);
    if (actual !== digest) throw new Error(`blob ${digest} in ${this.dir} is corrupt (content hashes to ${actual})`);
    return data;
  }

  readJsonBlob<T = unknown>(digest: string): T {
    return JSON.parse(this.readBlob(digest).toString('utf8')) as T;
  }

  /** The layout's top-level index.json. */
  topIndex(): ImageIndex {
    return indexSchema.parse(JSON.parse(readFileSync(join(this.dir, 'index.json'), 'utf8')));
  }

  /**
   * The image index the build produced: the single index descriptor referenced from index.json
   * (buildah writes the manifest list as a blob, referenced from index.json).
   */
  imageIndexDescriptor(): Descriptor {
    const top = this.topIndex();
    const indexes = top.manifests.filter((m) => isIndexMediaType(m.mediaType));
    if (indexes.length !== 1) {
      throw new Error(`${this.dir}/index.json should reference exactly one image index, found ${indexes.length}`);
    }
    return indexes[0];
  }
}
