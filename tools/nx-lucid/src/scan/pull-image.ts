/**
 * A scan by reference: our registry client, with the credentials push uses (environment, docker config, helpers),
 * pulls the platforms to scan into a private OCI layout, checking every digest; Trivy then reads that layout
 * (--input) like a built one. So no trivy process ever talks to a registry with, or holds, a credential.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, writeFilePlain } from '../boundary/files';
import { parseImageReference } from '../image/naming';
import { sha256Digest } from '../oci/digest';
import { isIndexMediaType, MediaType } from '../oci/media-types';
import { RegistryClient } from '../registry/client';
import { connect } from '../registry/connect';
import { credentialsFor } from '../registry/credentials';
import { normalizeRepository } from '../registry/docker-credentials';

interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}
interface Descriptor {
  digest: string;
  mediaType?: string;
  size?: number;
  platform?: Platform;
}

export interface PulledImage {
  layoutDir: string;
  /** The digest the reference resolved to (the index, or the one manifest). */
  digest: string;
  /** One per platform pulled, in the order asked; `platform` undefined for a single-manifest image asked for none. */
  manifests: Array<{
    platform: string | undefined;
    descriptor: Required<Pick<Descriptor, 'digest' | 'mediaType' | 'size'>> & Pick<Descriptor, 'platform'>;
  }>;
}

export type ImagePuller = (
  ref: string,
  want: { platforms: Array<string | undefined>; insecureRegistries: readonly string[] },
  dir: string,
) => Promise<PulledImage>;

/** go-containerregistry's default platform, which Trivy scans when an index is given without --platform. */
const DEFAULT_PLATFORM = 'linux/amd64';

const platformOf = (p: Platform) => [p.os, p.architecture, p.variant].filter(Boolean).join('/');

function matches(p: Platform | undefined, wanted: string): boolean {
  const [os, architecture, variant] = wanted.split('/');
  return !!p && p.os === os && p.architecture === architecture && (!variant || p.variant === variant);
}

/** Pulls through `client` (already connected to the reference's registry). */
export async function pullImage(
  client: Pick<RegistryClient, 'getManifest' | 'getBlob'>,
  ref: string,
  platforms: Array<string | undefined>,
  dir: string,
): Promise<PulledImage> {
  const r = parseImageReference(ref);
  const repository = normalizeRepository(r.registry, r.repository);
  ensureDir(join(dir, 'blobs', 'sha256'));
  const put = (digest: string, bytes: Buffer) => writeFilePlain(join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
  const manifest = async (reference: string, expected?: string) => {
    const m = await client.getManifest(repository, reference);
    const actual = sha256Digest(m.bytes);
    if (expected && actual !== expected) throw new Error(`${ref}: manifest ${expected} hashes to ${actual}`);
    put(actual, m.bytes);
    return {
      ...m,
      digest: actual,
      doc: JSON.parse(m.bytes.toString('utf8')) as {
        manifests?: Descriptor[];
        config?: Descriptor;
        layers?: Descriptor[];
      },
    };
  };
  const top = await manifest(r.digest ?? r.tag ?? 'latest', r.digest);
  const pulled: PulledImage['manifests'] = [];
  if (isIndexMediaType(top.mediaType) || Array.isArray(top.doc.manifests)) {
    for (const wanted of platforms) {
      const name = wanted ?? DEFAULT_PLATFORM;
      const child = (top.doc.manifests ?? []).find((d) => matches(d.platform, name));
      if (!child) {
        const has = (top.doc.manifests ?? []).flatMap((d) => (d.platform ? [platformOf(d.platform)] : []));
        throw new Error(
          `platform ${name} is not in ${ref} (it has ${has.join(', ') || 'no platform'}); nothing was scanned`,
        );
      }
      const m = await manifest(child.digest, child.digest);
      pulled.push({
        platform: name,
        descriptor: {
          digest: m.digest,
          mediaType: child.mediaType ?? m.mediaType,
          size: m.bytes.length,
          platform: child.platform,
        },
      });
    }
  } else {
    pulled.push({
      platform: platforms[0],
      descriptor: { digest: top.digest, mediaType: top.mediaType, size: top.bytes.length },
    });
  }
  for (const { descriptor } of pulled) {
    const doc = JSON.parse(readBlob(dir, descriptor.digest)) as { config?: Descriptor; layers?: Descriptor[] };
    for (const d of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])])
      put(d.digest, await client.getBlob(repository, d.digest));
  }
  writeFilePlain(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFilePlain(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: pulled.map((p) => p.descriptor) }),
  );
  return { layoutDir: dir, digest: top.digest, manifests: pulled };
}

function readBlob(dir: string, digest: string): string {
  return readFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), 'utf8');
}

/** The puller the scan executor uses: credentials as push resolves them, a client that checked GET /v2/ first. */
export function registryPuller(env: NodeJS.ProcessEnv): ImagePuller {
  return async (ref, { platforms, insecureRegistries }, dir) => {
    const r = parseImageReference(ref);
    const credentials = await credentialsFor(r.registry, {}, env, async () => '');
    const repository = normalizeRepository(r.registry, r.repository);
    const target = {
      registry: r.registry,
      repository,
      image: `${r.registry}/${repository}`,
      insecureRegistries: [...insecureRegistries],
    };
    return pullImage(await connect(target, credentials), ref, platforms, dir);
  };
}
