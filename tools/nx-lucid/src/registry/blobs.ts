/** Blobs: existence (HEAD), cross-repository mount, and upload (monolithic, or PATCH chunks + closing PUT). */
import { sha256Digest } from '../oci/digest';
import { RegistryError } from './errors';
import { pullScope, pushScope, Transport } from './transport';

export interface UploadOptions {
  /** Blobs larger than this are uploaded in PATCH chunks of chunkSize bytes. */
  chunkedThreshold?: number;
  chunkSize?: number;
}

/** Where a blob's bytes come from: a buffer, or a reader over a file so a large layer is never held whole. */
export interface BlobBytes {
  size: number;
  read(offset: number, length: number): Buffer;
}

export function bufferBytes(data: Buffer): BlobBytes {
  return { size: data.length, read: (offset, length) => data.subarray(offset, offset + length) };
}

export function withDigest(location: string, digest: string): string {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url.toString();
}

export class Blobs {
  constructor(
    private readonly t: Transport,
    private readonly options: UploadOptions = {},
  ) {}

  async has(repository: string, digest: string): Promise<boolean> {
    return this.t.withRetry(`HEAD blob ${digest}`, async () => {
      const res = await this.t.send({
        method: 'HEAD',
        url: `/v2/${repository}/blobs/${digest}`,
        scopes: [pullScope(repository)],
        repository,
        operation: `HEAD blob ${digest}`,
        ok: [200, 404],
      });
      return res.status === 200;
    });
  }

  /** GET a blob, checked against its digest (a slim build output fetches its base layers this way). */
  async get(repository: string, digest: string): Promise<Buffer> {
    return this.t.withRetry(`GET blob ${digest}`, async () => {
      const res = await this.t.send({
        method: 'GET',
        url: `/v2/${repository}/blobs/${digest}`,
        scopes: [pullScope(repository)],
        repository,
        operation: `GET blob ${digest}`,
        ok: [200],
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      const actual = sha256Digest(bytes);
      if (actual !== digest)
        throw new RegistryError(
          `GET blob ${digest} on ${repository}: content hashes to ${actual}`,
          200,
          'DIGEST_INVALID',
        );
      return bytes;
    });
  }

  /** Cross-repository mount. True when the registry mounted it (201); false when it did not (202). */
  async mount(repository: string, digest: string, from: string): Promise<boolean> {
    return this.t.withRetry(`mount ${digest}`, async () => {
      const res = await this.t.send({
        method: 'POST',
        url: `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
        headers: { 'Content-Length': '0' },
        scopes: [pushScope(repository), pullScope(from)],
        repository,
        operation: `mount ${digest} from ${from}`,
        ok: [201, 202],
      });
      await res.body?.cancel();
      if (res.status === 202) {
        // The registry opened an upload session instead; close it so it does not linger.
        const location = res.headers.get('location');
        if (location) await this.cancel(repository, location);
      }
      return res.status === 201;
    });
  }

  /** DELETE an upload session; best effort (an abandoned session is only storage). */
  async cancel(repository: string, location: string): Promise<void> {
    await this.t
      .raw({ method: 'DELETE', url: location, scopes: [pushScope(repository)], operation: 'cancel upload', ok: [] })
      .then(
        (r) => r.body?.cancel(),
        () => undefined,
      );
  }

  /** POST: a new upload session's absolute URL. */
  async open(repository: string, digest: string): Promise<string> {
    const start = await this.t.send({
      method: 'POST',
      url: `/v2/${repository}/blobs/uploads/`,
      headers: { 'Content-Length': '0' },
      scopes: [pushScope(repository)],
      repository,
      operation: `start upload of ${digest}`,
      ok: [202],
    });
    await start.body?.cancel();
    return this.t.location(start, `start upload of ${digest}`);
  }

  /**
   * Uploads a blob: POST opens a session, then one PUT (monolithic) or PATCH chunks + a closing PUT.
   * A retry starts a new session (the old one may be half-written); it first checks whether the blob
   * already landed (a PUT whose response was lost).
   */
  async upload(repository: string, digest: string, bytes: BlobBytes, hooks: ChunkHooks = {}): Promise<void> {
    const threshold = this.options.chunkedThreshold ?? 32 * 1048576;
    let attempt = 0;
    await this.t.withRetry(`upload blob ${digest}`, async () => {
      if (attempt++ > 0 && (await this.has(repository, digest))) return;
      const resumed = await hooks.resume?.();
      if (resumed) {
        try {
          return await this.chunks(repository, digest, bytes, resumed.location, resumed.offset, hooks);
        } catch (e) {
          // The registry refused to continue the session (e.g. 416 range, 404 gone): drop it, start afresh.
          if (!(e instanceof RegistryError && e.status !== undefined && e.status >= 400 && e.status < 500)) throw e;
          await this.cancel(repository, resumed.location);
          await hooks.abandoned?.(resumed.offset);
        }
      }
      const location = await this.open(repository, digest);
      if (bytes.size > threshold) return this.chunks(repository, digest, bytes, location, 0, hooks);
      const data = bytes.read(0, bytes.size);
      const res = await this.t.send({
        method: 'PUT',
        url: withDigest(location, digest),
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(data.length) },
        body: data,
        scopes: [pushScope(repository)],
        repository,
        operation: `upload blob ${digest}`,
        ok: [201],
      });
      await res.body?.cancel();
      this.t.stats.bytesUploaded += data.length;
    });
  }

  /** PATCH chunks from offset, then the closing PUT; reports progress so a later run can resume. */
  private async chunks(
    repository: string,
    digest: string,
    bytes: BlobBytes,
    start: string,
    from: number,
    hooks: ChunkHooks,
  ): Promise<void> {
    const chunkSize = this.options.chunkSize ?? 16 * 1048576;
    const base = { scopes: [pushScope(repository)], repository };
    let location = start;
    await hooks.progress?.(location, from);
    for (let offset = from; offset < bytes.size; offset += chunkSize) {
      const chunk = bytes.read(offset, Math.min(chunkSize, bytes.size - offset));
      const res = await this.t.send({
        ...base,
        method: 'PATCH',
        url: location,
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Range': `${offset}-${offset + chunk.length - 1}`,
          'Content-Length': String(chunk.length),
        },
        body: chunk,
        operation: `upload chunk ${offset}-${offset + chunk.length - 1} of ${digest}`,
        ok: [202],
      });
      await res.body?.cancel();
      this.t.stats.bytesUploaded += chunk.length;
      location = this.t.location(res, `upload chunk of ${digest}`);
      await hooks.progress?.(location, offset + chunk.length);
    }
    const done = await this.t.send({
      ...base,
      method: 'PUT',
      url: withDigest(location, digest),
      headers: { 'Content-Length': '0' },
      operation: `finish upload of ${digest}`,
      ok: [201],
    });
    await done.body?.cancel();
    await hooks.done?.();
  }

  /**
   * How far the registry got with an upload session (offsetFromRange), or undefined when the session is gone:
   * 404, which distribution also answers (BLOB_UPLOAD_INVALID, cancelling the upload) once a PATCH cut by a reset
   * stored part of its body, so that session cannot be resumed and the blob is sent again from byte 0.
   */
  async offset(repository: string, location: string): Promise<{ location: string; offset: number } | undefined> {
    const res = await this.t
      .send({
        method: 'GET',
        url: location,
        scopes: [pushScope(repository)],
        repository,
        operation: 'upload status',
        ok: [204, 404],
      })
      .catch((e) => {
        if (e instanceof RegistryError && e.status !== undefined && !e.retryable) return undefined;
        throw e;
      });
    if (!res || res.status !== 204) return undefined;
    return {
      location: res.headers.get('location') ? this.t.location(res, 'upload status') : location,
      offset: offsetFromRange(res.headers.get('range')),
    };
  }
}

/**
 * The next byte to send from an upload status Range header `0-<last>`. distribution answers `0-0` for an empty
 * session as well as for one holding 1 byte (registry/handlers/blobupload.go: endRange = size-1, but 0 when size is
 * 0); 0 is the only safe reading (a 1-byte session then answers 416 and is started afresh), where `last + 1` sent
 * every chunk from byte 1 into a 416 and then the whole blob again.
 */
export function offsetFromRange(range: string | null): number {
  const m = /^(?:bytes=)?0-(\d+)$/.exec(range ?? '');
  return m && Number(m[1]) > 0 ? Number(m[1]) + 1 : 0;
}

/** Lets the caller persist and resume a chunked upload (see upload-state.ts). */
export interface ChunkHooks {
  /** A session to continue, already checked with the registry, or undefined to start one. */
  resume?: () => Promise<{ location: string; offset: number } | undefined>;
  progress?: (location: string, offset: number) => Promise<void> | void;
  done?: () => Promise<void> | void;
  /** The resumed session was refused after all; its bytes were not in fact saved. */
  abandoned?: (offset: number) => Promise<void> | void;
}
