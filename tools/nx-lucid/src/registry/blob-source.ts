/**
 * One place that answers "where is this blob?" for a build output, full or slim: in the output's own layout, else
 * (a base layer listed in external-blobs.json) in the machine's blob store, else fetched from the registry or
 * mirror that served the base, through our registry client, into the store. Push, scan and verify read through it,
 * so they work the same from a slim output restored from any cache as from a full one.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient } from './client';
import { BlobStore, blobStoreDir } from '../oci/blob-store';
import { ExternalBlobs, readExternalBlobs } from '../oci/external-blobs';
import { OciLayout } from '../oci/layout';
import { OciLayoutWriter } from '../oci/layout-writer';

/** Fetches a base blob by digest from where the base came from. */
export type BlobFetcher = (source: ExternalBlobs['source'], digest: string) => Promise<Buffer>;

/** Anonymous pulls from the base's registry or mirror (base images are public, or mirrored where CI can read). */
export const registryFetcher: BlobFetcher = (source, digest) =>
  new RegistryClient({
    registry: source.registry,
    insecureRegistries: source.insecure ? [source.registry] : [],
  }).getBlob(source.repository, digest);

/** An OCI layout whose external blobs resolve through the blob store. */
export class SourcedLayout extends OciLayout {
  private readonly externalDigests: Set<string>;

  constructor(
    dir: string,
    readonly external: ExternalBlobs | undefined,
    readonly store: BlobStore,
  ) {
    super(dir);
    this.externalDigests = new Set(external?.blobs.map((b) => b.digest) ?? []);
  }

  private local(digest: string): boolean {
    return super.hasBlob(digest);
  }

  hasBlob(digest: string): boolean {
    return this.local(digest) || this.externalDigests.has(digest);
  }

  readBlob(digest: string): Buffer {
    if (this.local(digest) || !this.externalDigests.has(digest)) return super.readBlob(digest);
    if (!this.store.has(digest)) {
      throw new Error(
        `base blob ${digest} is neither in ${this.dir} nor in the blob store ${this.store.dir} (it was not fetched from ${this.external!.source.registry}/${this.external!.source.repository})`,
      );
    }
    return this.store.read(digest);
  }

  /** The file that holds a blob now (the layout's own or the store's). */
  override blobFile(digest: string): string {
    return this.local(digest) ? this.blobPath(digest) : this.store.path(digest);
  }

  /** External blobs not in the store yet. */
  missing(digests: Iterable<string> = this.externalDigests): string[] {
    return [...digests].filter((d) => this.externalDigests.has(d) && !this.local(d) && !this.store.has(d));
  }

  /** Fetches the external blobs the store lacks (all, or the given ones); returns what was fetched. */
  async ensureLocal(
    fetcher: BlobFetcher = registryFetcher,
    digests?: Iterable<string>,
    log?: (line: string) => void,
  ): Promise<{ fetched: number; bytes: number }> {
    let bytes = 0;
    const missing = this.missing(digests);
    for (const digest of missing) {
      const data = await fetcher(this.external!.source, digest);
      this.store.put(digest, data);
      bytes += data.length;
      log?.(
        `  ↓ ${digest.slice(0, 19)} ${data.length} B from ${this.external!.source.registry}/${this.external!.source.repository} into the blob store`,
      );
    }
    return { fetched: missing.length, bytes };
  }
}

/** Opens a build output's layout (`<outputPath>/oci`) with the machine's blob store behind it. */
export function openSourcedLayout(
  layoutDir: string,
  workspaceRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): SourcedLayout {
  OciLayout.open(layoutDir); // the clear "run container-build first" error
  return new SourcedLayout(layoutDir, readExternalBlobs(layoutDir), new BlobStore(blobStoreDir(workspaceRoot, env)));
}

/** Opens the layout and makes every blob readable locally (verify walks every layer). */
export async function openCompleteLayout(
  layoutDir: string,
  workspaceRoot: string,
  env: NodeJS.ProcessEnv = process.env,
  fetcher?: BlobFetcher,
  log?: (line: string) => void,
): Promise<SourcedLayout> {
  const layout = openSourcedLayout(layoutDir, workspaceRoot, env);
  await layout.ensureLocal(fetcher, undefined, log);
  return layout;
}

/**
 * A complete OCI layout in `dir` for tools that read a directory (Trivy): index.json and oci-layout copied, every
 * blob hard-linked from the output or the store (a symbolic link across file systems). Fetches what is missing.
 */
export async function materialiseLayout(layout: SourcedLayout, dir: string, fetcher?: BlobFetcher): Promise<string> {
  await layout.ensureLocal(fetcher);
  const writer = OciLayoutWriter.fresh(dir);
  writer.copyTopIndex(layout.dir);
  const digests = new Set<string>(layout.external?.blobs.map((b) => b.digest) ?? []);
  const own = join(layout.dir, 'blobs', 'sha256');
  if (existsSync(own)) for (const hex of readdirSync(own)) digests.add(`sha256:${hex}`);
  for (const digest of digests) writer.linkBlob(digest, layout.blobFile(digest), 'symlink');
  return dir;
}

/** Where push can mount the base blobs from: the base's repository, when it is on the registry being pushed to. */
export function baseMountSources(layout: SourcedLayout, targetRegistry: string): string[] {
  const source = layout.external?.source;
  return source && source.registry === targetRegistry ? [source.repository] : [];
}

/**
 * Before a push: external blobs are mounted when the base lives on the target registry; otherwise the push
 * uploads them, so they must be local first.
 */
export async function prepareForPush(
  layout: SourcedLayout,
  targetRegistry: string,
  fetcher?: BlobFetcher,
  log?: (line: string) => void,
): Promise<{ fetched: number; bytes: number }> {
  if (!layout.external || baseMountSources(layout, targetRegistry).length) return { fetched: 0, bytes: 0 };
  return layout.ensureLocal(fetcher, undefined, log);
}

/** The layout directory a tool that reads files should get: the output itself when full, else a materialised copy under `workDir`. */
export async function completeLayoutDir(
  layoutDir: string,
  workspaceRoot: string,
  workDir: string,
  env: NodeJS.ProcessEnv = process.env,
  fetcher?: BlobFetcher,
): Promise<string> {
  const layout = openSourcedLayout(layoutDir, workspaceRoot, env);
  return layout.external ? materialiseLayout(layout, join(workDir, 'layout'), fetcher) : layoutDir;
}
