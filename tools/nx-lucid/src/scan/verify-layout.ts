/**
 * What Trivy is given must be what was built: before a scan, every blob the build output's layout reaches from
 * index.json (indexes, manifests, configs, layers) is a regular file that hashes to its digest, as push checks
 * before it uploads. A symbolic link (say, an app layer replaced by a link to /etc/shadow) or changed bytes are
 * refused. A slim output's base blobs live in the blob store, which checks digests as it stores them.
 */
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileDigest } from '../oci/blob-store';
import { DIGEST } from '../oci/digest';
import { readExternalBlobs } from '../oci/external-blobs';
import { isIndexMediaType, isManifestMediaType } from '../oci/media-types';

interface Descriptor {
  digest: string;
  mediaType?: string;
}

const REBUILD = 'rebuild with container-build (nothing was scanned)';

/** Throws naming the first bad blob file; returns how many blobs were checked. */
export function verifyScanLayout(layoutDir: string, root: string): number {
  const shown = (p: string) => relative(root, p) || p;
  const external = new Set(readExternalBlobs(layoutDir)?.blobs.map((b) => b.digest) ?? []);
  const seen = new Set<string>();
  const check = (d: Descriptor, from: string): Buffer | undefined => {
    if (!DIGEST.test(d.digest)) throw new Error(`${from} names an invalid digest "${d.digest}"; ${REBUILD}`);
    const file = join(layoutDir, 'blobs', 'sha256', d.digest.slice(7));
    if (!existsSync(file) && !lstatSafe(file)) {
      if (external.has(d.digest)) return undefined;
      throw new Error(`${shown(file)} is missing: blob ${d.digest} named by ${from}; ${REBUILD}`);
    }
    if (lstatSafe(file)?.isSymbolicLink())
      throw new Error(`${shown(file)} is a symbolic link, not a blob: refusing to scan it; ${REBUILD}`);
    if (!seen.has(d.digest)) {
      const actual = fileDigest(file);
      if (actual !== d.digest)
        throw new Error(`${shown(file)} does not match its digest: it hashes to ${actual}; ${REBUILD}`);
      seen.add(d.digest);
    }
    return isIndexMediaType(d.mediaType) || isManifestMediaType(d.mediaType) ? readFileSync(file) : undefined;
  };
  const walk = (d: Descriptor, from: string) => {
    const bytes = check(d, from);
    if (!bytes) return;
    const doc = JSON.parse(bytes.toString('utf8')) as {
      manifests?: Descriptor[];
      config?: Descriptor;
      layers?: Descriptor[];
    };
    const what = `${d.mediaType} ${d.digest}`;
    for (const m of doc.manifests ?? []) walk(m, what);
    for (const b of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) check({ digest: b.digest }, what);
  };
  const index = JSON.parse(readFileSync(join(layoutDir, 'index.json'), 'utf8')) as { manifests?: Descriptor[] };
  for (const m of index.manifests ?? []) walk(m, `${shown(join(layoutDir, 'index.json'))}`);
  return seen.size;
}

function lstatSafe(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
