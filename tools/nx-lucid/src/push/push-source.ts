/** What a push reads from an OCI layout: the index, each manifest and every blob they name, checked complete. */
import { SourcedLayout } from '../registry/blob-source';
import { OciLayout } from '../oci/layout';
import { isIndexMediaType } from '../oci/media-types';
import { Descriptor, ImageIndex, ImageManifest, platformString } from '../oci/types';

export interface PushManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  /** e.g. linux/arm64; undefined for non-platform entries such as attestations. */
  platform?: string;
  /** The descriptor's size, checked before anything is sent. */
  size?: number;
  /** An image manifest's config digest. */
  configDigest?: string;
}

export interface PushBlob {
  digest: string;
  size: number;
  mediaType: string;
  /** The first manifest naming it, for messages. */
  referencedBy?: string;
}

export interface PushSource {
  layout: OciLayout;
  index: PushManifest;
  /** Child manifests, children before parents (so nested indexes are put after their entries). */
  manifests: PushManifest[];
  /** Distinct configs and layers. */
  blobs: PushBlob[];
}

/** The file holding a blob now: a slim output's base layers live in the machine's blob store. */
export function blobFileOf(layout: OciLayout, digest: string): string {
  return layout instanceof SourcedLayout ? layout.blobFile(digest) : layout.blobPath(digest);
}

/** Reads what a push needs from the layout and checks it is complete (every referenced blob present). */
export function readPushSource(layout: OciLayout): PushSource {
  const top = layout.imageIndexDescriptor();
  const blobs = new Map<string, PushBlob>();
  const manifests: PushManifest[] = [];
  const seen = new Set<string>();
  const visit = (d: Descriptor): PushManifest => {
    const bytes = layout.readBlob(d.digest);
    const entry: PushManifest = {
      digest: d.digest,
      mediaType: d.mediaType,
      bytes,
      size: d.size,
      platform: d.platform && d.platform.os !== 'unknown' ? platformString(d.platform) : undefined,
    };
    if (isIndexMediaType(d.mediaType)) {
      const index = JSON.parse(bytes.toString('utf8')) as ImageIndex;
      for (const child of index.manifests) {
        if (seen.has(child.digest)) continue;
        seen.add(child.digest);
        manifests.push(visit(child));
      }
    } else {
      const manifest = JSON.parse(bytes.toString('utf8')) as ImageManifest;
      entry.configDigest = manifest.config.digest;
      for (const b of [manifest.config, ...manifest.layers]) {
        // Foreign (non-distributable) layers live elsewhere by definition.
        if (b.urls?.length) continue;
        if (!layout.hasBlob(b.digest))
          throw new Error(
            `${layout.dir} is incomplete: blob ${b.digest} (${b.mediaType}) of ${d.digest} is missing; rebuild`,
          );
        if (!blobs.has(b.digest))
          blobs.set(b.digest, { digest: b.digest, size: b.size, mediaType: b.mediaType, referencedBy: d.digest });
      }
    }
    return entry;
  };
  const index = visit(top);
  return { layout, index, manifests, blobs: [...blobs.values()] };
}
