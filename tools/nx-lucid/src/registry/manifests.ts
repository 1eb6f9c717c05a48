/** Manifests (GET/HEAD/PUT/DELETE by tag or digest) and tag lists with Link pagination. */
import { sha256Digest } from '../oci/digest';
import { MediaType } from '../oci/media-types';
import { RegistryError } from './errors';
import { pullScope, pushScope, Transport } from './transport';

export const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerManifestList,
  MediaType.dockerManifest,
].join(', ');

export interface ManifestResponse {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

/** `<...>; rel="next"` from a Link header, as distribution paginates /tags/list and /_catalog. */
export function nextLink(link: string | null | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part.trim());
    if (m) return m[1];
  }
  return undefined;
}

function mediaTypeOf(bytes: Buffer): string {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: string; manifests?: unknown };
    return parsed.mediaType ?? (parsed.manifests ? MediaType.ociIndex : MediaType.ociManifest);
  } catch {
    return MediaType.ociManifest;
  }
}

const contentType = (res: Response) => (res.headers.get('content-type') ?? '').split(';')[0].trim();

/** Follows Link pagination from a first page; each page is one retried operation. */
export async function paged<T>(
  t: Transport,
  first: string,
  page: (url: string) => Promise<{ items: T[]; link: string | null }>,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  for (let next: string | undefined = first; next && !seen.has(next);) {
    seen.add(next);
    const url: string = next;
    const got = await t.withRetry('list', () => page(url));
    items.push(...got.items);
    next = nextLink(got.link);
  }
  return items;
}

export class Manifests {
  constructor(private readonly t: Transport) {}

  async get(repository: string, reference: string): Promise<ManifestResponse> {
    return this.t.withRetry(`GET manifest ${reference}`, async () => {
      const res = await this.t.send({
        method: 'GET',
        url: `/v2/${repository}/manifests/${reference}`,
        headers: { Accept: MANIFEST_ACCEPT },
        scopes: [pullScope(repository)],
        repository,
        operation: `GET manifest ${reference}`,
        ok: [200],
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      const digest = sha256Digest(bytes);
      if (reference.startsWith('sha256:') && digest !== reference) {
        throw new RegistryError(
          `GET manifest ${reference} on ${this.t.where(repository)}: content hashes to ${digest}`,
          200,
          'DIGEST_INVALID',
        );
      }
      return { bytes, mediaType: contentType(res) || mediaTypeOf(bytes), digest };
    });
  }

  /** HEAD a manifest: its digest, or undefined when the tag or digest does not exist. */
  async head(repository: string, reference: string): Promise<ManifestHead | undefined> {
    const head = await this.t.withRetry(`HEAD manifest ${reference}`, async () => {
      const res = await this.t.send({
        method: 'HEAD',
        url: `/v2/${repository}/manifests/${reference}`,
        headers: { Accept: MANIFEST_ACCEPT },
        scopes: [pullScope(repository)],
        repository,
        operation: `HEAD manifest ${reference}`,
        ok: [200, 404],
      });
      if (res.status === 404) return null;
      const digest = res.headers.get('docker-content-digest');
      return digest
        ? { digest, mediaType: contentType(res), size: Number(res.headers.get('content-length') ?? 0) }
        : undefined;
    });
    if (head === null) return undefined;
    if (head) return head;
    const m = await this.get(repository, reference);
    return { digest: m.digest, mediaType: m.mediaType, size: m.bytes.length };
  }

  /** PUT manifest bytes unchanged under a tag or their digest; returns the digest and checks the registry agrees. */
  async put(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const digest = sha256Digest(bytes);
    // A tag's failure names what it was to name: the report says which image a rerun must repair.
    const what = reference === digest ? `PUT manifest ${digest}` : `PUT tag ${reference} (manifest ${digest})`;
    return this.t.withRetry(what, async () => {
      const res = await this.t.send({
        method: 'PUT',
        url: `/v2/${repository}/manifests/${reference}`,
        headers: { 'Content-Type': mediaType, 'Content-Length': String(bytes.length) },
        body: bytes,
        scopes: [pushScope(repository)],
        repository,
        operation: what,
        ok: [201, 200],
      });
      await res.body?.cancel();
      const returned = res.headers.get('docker-content-digest');
      if (returned && returned !== digest) {
        throw new RegistryError(
          `PUT manifest ${reference} on ${this.t.where(repository)}: registry stored ${returned}, expected ${digest}`,
          res.status,
          'DIGEST_INVALID',
        );
      }
      return digest;
    });
  }

  /** DELETE a manifest by digest (removes every tag that names it, in distribution). */
  async delete(repository: string, digest: string): Promise<void> {
    if (!digest.startsWith('sha256:')) throw new RegistryError(`delete needs a digest, got "${digest}"`);
    await this.t.withRetry(`DELETE manifest ${digest}`, async () => {
      const res = await this.t.send({
        method: 'DELETE',
        url: `/v2/${repository}/manifests/${digest}`,
        scopes: [`repository:${repository}:delete`, pushScope(repository)],
        repository,
        operation: `DELETE manifest ${digest}`,
        ok: [202, 200, 204],
      });
      await res.body?.cancel();
    });
  }

  /**
   * DELETE a tag alone (`/v2/<name>/manifests/<tag>`, distribution 3 and most hosted registries). 'unsupported' where
   * the registry refuses tag references on DELETE (distribution 2.8 answers 400 DIGEST_INVALID; others 405 or
   * UNSUPPORTED); 'unknown' when no such tag exists.
   */
  async deleteTag(repository: string, tag: string): Promise<'deleted' | 'unknown' | 'unsupported'> {
    return this.t.withRetry(`DELETE tag ${tag}`, async () => {
      const res = await this.t.send({
        method: 'DELETE',
        url: `/v2/${repository}/manifests/${tag}`,
        scopes: [`repository:${repository}:delete`, pushScope(repository)],
        repository,
        operation: `DELETE tag ${tag}`,
        ok: [202, 200, 204, 404, 400, 405],
      });
      await res.body?.cancel();
      if (res.status === 404) return 'unknown';
      return res.status === 400 || res.status === 405 ? 'unsupported' : 'deleted';
    });
  }

  /** Every tag of a repository, following Link pagination. A repository that does not exist has none. */
  async tags(repository: string, pageSize = 100): Promise<string[]> {
    const tags = await paged(this.t, `/v2/${repository}/tags/list?n=${pageSize}`, async (url) => {
      const res = await this.t.send({
        method: 'GET',
        url,
        scopes: [pullScope(repository)],
        repository,
        operation: 'list tags',
        ok: [200, 404],
      });
      if (res.status === 404) {
        await res.body?.cancel();
        return { items: [], link: null };
      }
      const body = (await res.json()) as { tags?: string[] | null };
      return { items: body.tags ?? [], link: res.headers.get('link') };
    });
    return [...new Set(tags)];
  }
}

/** GET /v2/_catalog, every page: the repositories the registry lists (distribution caps n at 1000). */
export async function listRepositories(t: Transport, pageSize = 1000): Promise<string[]> {
  return paged(t, `/v2/_catalog?n=${pageSize}`, async (url) => {
    const res = await t.send({
      method: 'GET',
      url,
      scopes: ['registry:catalog:*'],
      operation: 'list repositories',
      ok: [200],
    });
    const body = (await res.json()) as { repositories?: string[] | null };
    return { items: body.repositories ?? [], link: res.headers.get('link') };
  });
}
