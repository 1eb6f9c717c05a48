/**
 * A small OCI Distribution client on Node's fetch, the one every part of the repo talks to registries
 * through. This facade keeps one public API over the parts split by concern: transport.ts (the request
 * envelope, retries), authorizer.ts (Basic/Bearer challenges), blobs.ts, manifests.ts (manifests, tags,
 * catalog). Credentials never leave it in a message: every error is redacted (redaction.ts).
 */
import { Challenge, Credentials } from './auth';
import { BlobBytes, Blobs, bufferBytes, ChunkHooks } from './blobs';
import { RetryEvent } from './errors';
import { listRepositories, ManifestHead, ManifestResponse, Manifests } from './manifests';
import { RetryPolicy } from './retry';
import { ClientStats, Transport } from './transport';

export { RegistryAuthError, RegistryError } from './errors';
export type { RetryEvent } from './errors';
export { MANIFEST_ACCEPT, nextLink } from './manifests';
export type { ManifestHead, ManifestResponse } from './manifests';
export { registryScheme } from './transport';
export type { ClientStats } from './transport';
export type { BlobBytes, ChunkHooks } from './blobs';

export interface RegistryClientOptions {
  /** host[:port], no scheme. */
  registry: string;
  /** Hosts reached over plain HTTP; loopback hosts always are. */
  insecureRegistries?: readonly string[];
  credentials?: Credentials;
  retry?: Partial<RetryPolicy>;
  onRetry?: (event: RetryEvent) => void;
  /** Blobs larger than this are uploaded in PATCH chunks of chunkSize bytes. */
  chunkedThreshold?: number;
  chunkSize?: number;
  /** Per request; an upload gets extra time per MiB. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** For tests and benchmarks: waits between retries. */
  sleep?: (ms: number) => Promise<void>;
}

export class RegistryClient {
  readonly baseUrl: string;
  readonly registry: string;
  readonly stats: ClientStats;
  /** The parts, for callers that need more than the facade (resumable uploads). */
  readonly transport: Transport;
  readonly blobs: Blobs;
  readonly manifests: Manifests;

  constructor(options: RegistryClientOptions) {
    this.transport = new Transport(options);
    this.blobs = new Blobs(this.transport, options);
    this.manifests = new Manifests(this.transport);
    this.baseUrl = this.transport.baseUrl;
    this.registry = this.transport.registry;
    this.stats = this.transport.stats;
  }

  get hasCredentials(): boolean {
    return this.transport.auth.hasCredentials;
  }

  /** Removes every credential and token (in each form it travels in) from a text. */
  redact(text: string): string {
    return this.transport.redact(text);
  }

  withRetry<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return this.transport.withRetry(operation, fn);
  }

  ping(): Promise<{ status: number; challenge?: Challenge }> {
    return this.transport.ping();
  }

  /** One GET /v2/ without retries: its status (200 open, 401 wants credentials), or undefined when nothing answers. */
  async probe(): Promise<number | undefined> {
    try {
      const res = await this.transport.raw({ method: 'GET', url: '/v2/', scopes: [], operation: 'ping', ok: [] });
      await res.body?.cancel();
      return res.status;
    } catch {
      return undefined;
    }
  }

  hasBlob(repository: string, digest: string): Promise<boolean> {
    return this.blobs.has(repository, digest);
  }

  /** GET a blob, checked against its digest. */
  getBlob(repository: string, digest: string): Promise<Buffer> {
    return this.blobs.get(repository, digest);
  }

  mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    return this.blobs.mount(repository, digest, from);
  }

  uploadBlob(repository: string, digest: string, data: Buffer | BlobBytes, hooks?: ChunkHooks): Promise<void> {
    return this.blobs.upload(repository, digest, Buffer.isBuffer(data) ? bufferBytes(data) : data, hooks);
  }

  getManifest(repository: string, reference: string): Promise<ManifestResponse> {
    return this.manifests.get(repository, reference);
  }

  headManifest(repository: string, reference: string): Promise<ManifestHead | undefined> {
    return this.manifests.head(repository, reference);
  }

  putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    return this.manifests.put(repository, reference, bytes, mediaType);
  }

  listTags(repository: string, pageSize = 100): Promise<string[]> {
    return this.manifests.tags(repository, pageSize);
  }

  deleteManifest(repository: string, digest: string): Promise<void> {
    return this.manifests.delete(repository, digest);
  }

  /** DELETE a tag alone, where the registry supports it (manifests.ts). */
  deleteTag(repository: string, tag: string): Promise<'deleted' | 'unknown' | 'unsupported'> {
    return this.manifests.deleteTag(repository, tag);
  }

  /** Every repository in the registry's catalog. */
  listRepositories(pageSize = 1000): Promise<string[]> {
    return listRepositories(this.transport, pageSize);
  }
}
