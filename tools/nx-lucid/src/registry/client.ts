/**
 * A small OCI Distribution client on Node's fetch: auth (anonymous, Basic, Bearer via WWW-Authenticate),
 * blobs (HEAD, monolithic and chunked upload, cross-repository mount), manifests (GET/HEAD/PUT/DELETE),
 * tag lists with pagination, and retries with backoff on 429, 5xx and dropped connections.
 * Credentials never leave this module in a message: every error is redacted.
 */
import { sha256Digest } from '../oci/digest';
import { MediaType } from '../oci/media-types';
import { redact } from '../boundary/process';
import { Challenge, Credentials, mergeScopes, parseChallenge, TOKEN_ENV_VARS } from './auth';
import { backoffDelay, DEFAULT_RETRY, isNetworkError, isRetryableStatus, parseRetryAfter, RetryPolicy } from './retry';

export const MANIFEST_ACCEPT = [MediaType.ociIndex, MediaType.ociManifest, MediaType.dockerManifestList, MediaType.dockerManifest].join(', ');

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** The registry's error code, e.g. MANIFEST_UNKNOWN, BLOB_UNKNOWN, DENIED. */
    readonly code?: string,
    readonly retryable = false,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export class RegistryAuthError extends RegistryError {
  constructor(message: string, status: number) {
    super(message, status, 'UNAUTHORIZED', false);
    this.name = 'RegistryAuthError';
  }
}

export interface RetryEvent {
  operation: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

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

export interface ClientStats {
  requests: number;
  retries: number;
  bytesUploaded: number;
}

/** Loopback and configured insecure registries speak plain HTTP; everything else HTTPS. */
export function registryScheme(registry: string, insecureRegistries: readonly string[] = []): 'http' | 'https' {
  const host = registry.replace(/:\d+$/, '');
  if (host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || /^127\./.test(host)) return 'http';
  return insecureRegistries.includes(registry) || insecureRegistries.includes(host) ? 'http' : 'https';
}

interface SendOptions {
  method: string;
  /** Path under the registry root (/v2/...) or an absolute URL (upload Location). */
  url: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** OAuth scopes this request needs (Bearer flow). */
  scopes: string[];
  repository?: string;
  operation: string;
  /** Statuses that are answers, not errors. */
  ok: number[];
}

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class RegistryClient {
  readonly baseUrl: string;
  readonly registry: string;
  readonly stats: ClientStats = { requests: 0, retries: 0, bytesUploaded: 0 };
  private readonly policy: RetryPolicy;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly tokens = new Map<string, string>();
  private basic = false;
  private readonly secrets: string[];

  constructor(private readonly options: RegistryClientOptions) {
    this.registry = options.registry;
    this.baseUrl = `${registryScheme(options.registry, options.insecureRegistries)}://${options.registry}`;
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.sleep = options.sleep ?? sleepMs;
    this.secrets = options.credentials ? [options.credentials.password] : [];
  }

  get hasCredentials(): boolean {
    return this.options.credentials !== undefined;
  }

  /** Removes every credential and token from a text. */
  redact(text: string): string {
    return redact(text, [...this.secrets, ...this.tokens.values()]);
  }

  // ---- transport -------------------------------------------------------------------------------

  /** Runs an operation, retrying transient failures with backoff; the whole operation restarts. */
  async withRetry<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const transient = (e instanceof RegistryError && e.retryable) || (!(e instanceof RegistryError) && isNetworkError(e));
        if (!transient || attempt >= this.policy.retries) {
          if (e instanceof RegistryError) throw e;
          throw new RegistryError(`${operation} on ${this.registry} failed: ${this.describe(e)}${transient ? ` (gave up after ${attempt + 1} attempts)` : ''}`);
        }
        const delayMs = backoffDelay(attempt, this.policy, e instanceof RegistryError ? e.retryAfterMs : undefined);
        this.stats.retries++;
        this.options.onRetry?.({ operation, attempt: attempt + 1, delayMs, reason: this.describe(e) });
        await this.sleep(delayMs);
      }
    }
  }

  private describe(e: unknown): string {
    const parts: string[] = [];
    for (let c = e as { message?: string; code?: string; cause?: unknown } | undefined, d = 0; c && d < 4; d++) {
      if (c.message && !parts.includes(c.message)) parts.push(c.code && !c.message.includes(c.code) ? `${c.message} (${c.code})` : c.message);
      c = c.cause as typeof c;
    }
    return this.redact(parts.join(': ') || String(e));
  }

  private resolve(url: string): string {
    return /^https?:\/\//.test(url) ? url : new URL(url, this.baseUrl).toString();
  }

  private authHeader(scopes: string[]): string | undefined {
    if (this.basic && this.options.credentials) {
      const { username, password } = this.options.credentials;
      return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    const token = this.tokens.get(mergeScopes(scopes).join(' '));
    return token ? `Bearer ${token}` : undefined;
  }

  private async fetchOnce(o: SendOptions): Promise<Response> {
    const headers: Record<string, string> = { 'User-Agent': 'nx-lucid', ...o.headers };
    const auth = this.authHeader(o.scopes);
    if (auth) headers.Authorization = auth;
    const timeout = (this.options.timeoutMs ?? 120000) + (o.body ? Math.ceil(o.body.length / 1048576) * 1000 : 0);
    this.stats.requests++;
    // redirect: manual would drop the Authorization header handling; registries redirect blob GETs only, which we do not do.
    return this.fetchImpl(this.resolve(o.url), {
      method: o.method,
      headers,
      body: o.body,
      signal: AbortSignal.timeout(timeout),
    });
  }

  /** One request with the auth dance; transient failures surface as retryable errors for withRetry. */
  private async send(o: SendOptions): Promise<Response> {
    let res = await this.fetchOnce(o);
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      await res.body?.cancel();
      await this.authenticate(challenge, o);
      res = await this.fetchOnce(o);
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        throw this.authFailure(res.status, o);
      }
    }
    if (o.ok.includes(res.status)) return res;
    throw await this.errorFrom(res, o);
  }

  private authFailure(status: number, o: SendOptions): RegistryAuthError {
    const where = o.repository ? ` for ${this.registry}/${o.repository}` : ` for ${this.registry}`;
    if (!this.options.credentials) {
      return new RegistryAuthError(
        `${o.operation}: ${this.registry} requires authentication${where} (HTTP ${status}); set ${TOKEN_ENV_VARS.join(' or ')} (a token with write:packages for ghcr.io), or pipe a token with --password-stdin`,
        status,
      );
    }
    return new RegistryAuthError(
      `${o.operation}: the credentials from ${this.options.credentials.source} (user ${this.options.credentials.username}) were refused${where} (HTTP ${status}); check the token's scopes (ghcr.io needs read:packages/write:packages)`,
      status,
    );
  }

  private async authenticate(challenge: Challenge | undefined, o: SendOptions): Promise<void> {
    if (challenge?.scheme === 'basic') {
      if (!this.options.credentials) throw this.authFailure(401, o);
      this.basic = true;
      return;
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) {
      throw new RegistryAuthError(`${o.operation}: ${this.registry} answered 401 without a usable WWW-Authenticate challenge`, 401);
    }
    const scopes = mergeScopes([...o.scopes, challenge.params.scope]);
    const url = new URL(challenge.params.realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: Record<string, string> = { 'User-Agent': 'nx-lucid' };
    if (this.options.credentials) {
      const { username, password } = this.options.credentials;
      headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    this.stats.requests++;
    const res = await this.fetchImpl(url.toString(), { headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 120000) });
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw this.authFailure(res.status, o);
    }
    if (!res.ok) throw await this.errorFrom(res, { ...o, operation: `${o.operation} (token request to ${url.host})` });
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryAuthError(`${o.operation}: the token service at ${url.host} returned no token`, res.status);
    // Cache under both the merged scopes and the request's own, so the next request finds it without a 401.
    this.tokens.set(scopes.join(' '), token);
    this.tokens.set(mergeScopes(o.scopes).join(' '), token);
  }

  private async errorFrom(res: Response, o: SendOptions): Promise<RegistryError> {
    let text = '';
    try {
      text = o.method === 'HEAD' ? '' : await res.text();
    } catch {
      /* body lost with the connection */
    }
    let code: string | undefined;
    let detail = '';
    try {
      const parsed = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string; detail?: unknown }> };
      const first = parsed.errors?.[0];
      if (first) {
        code = first.code;
        detail = `${first.code ?? ''}${first.message ? `: ${first.message}` : ''}`;
        if (first.detail !== undefined && typeof first.detail !== 'object') detail += ` (${String(first.detail)})`;
      }
    } catch {
      detail = text.trim().slice(0, 200);
    }
    const retryable = isRetryableStatus(res.status);
    const where = o.repository ? `${this.registry}/${o.repository}` : this.registry;
    const message = this.redact(`${o.operation} on ${where} failed: HTTP ${res.status}${detail ? ` ${detail}` : ''}`);
    return new RegistryError(message, res.status, code, retryable, parseRetryAfter(res.headers.get('retry-after')));
  }

  private static pull(repo: string): string {
    return `repository:${repo}:pull`;
  }
  private static push(repo: string): string {
    return `repository:${repo}:pull,push`;
  }

  // ---- API ---------------------------------------------------------------------------------------

  /** GET /v2/: 200 open, 401 needs auth (the challenge says how). Never throws on 401. */
  async ping(): Promise<{ status: number; challenge?: Challenge }> {
    return this.withRetry('ping', async () => {
      const res = await this.fetchOnce({ method: 'GET', url: '/v2/', scopes: [], operation: 'ping', ok: [] });
      await res.body?.cancel();
      if (isRetryableStatus(res.status)) {
        throw new RegistryError(`ping ${this.registry}: HTTP ${res.status}`, res.status, undefined, true, parseRetryAfter(res.headers.get('retry-after')));
      }
      return { status: res.status, challenge: parseChallenge(res.headers.get('www-authenticate')) };
    });
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    return this.withRetry(`HEAD blob ${digest}`, async () => {
      const res = await this.send({
        method: 'HEAD',
        url: `/v2/${repository}/blobs/${digest}`,
        scopes: [RegistryClient.pull(repository)],
        repository,
        operation: `HEAD blob ${digest}`,
        ok: [200, 404],
      });
      return res.status === 200;
    });
  }

  /** Cross-repository mount. True when the registry mounted it (201); false when it did not (202 or refused). */
  async mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    return this.withRetry(`mount ${digest}`, async () => {
      const res = await this.send({
        method: 'POST',
        url: `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
        headers: { 'Content-Length': '0' },
        scopes: [RegistryClient.push(repository), RegistryClient.pull(from)],
        repository,
        operation: `mount ${digest} from ${from}`,
        ok: [201, 202],
      });
      await res.body?.cancel();
      if (res.status === 202) {
        // The registry opened an upload session instead; close it so it does not linger.
        const location = res.headers.get('location');
        if (location) await this.fetchOnce({ method: 'DELETE', url: location, scopes: [RegistryClient.push(repository)], operation: 'cancel upload', ok: [] }).then((r) => r.body?.cancel(), () => undefined);
      }
      return res.status === 201;
    });
  }

  /**
   * Uploads a blob: POST opens a session, then one PUT (monolithic) or PATCH chunks + a closing PUT.
   * A retry starts a new session (the old one may be half-written); it first checks whether the blob
   * already landed (a PUT whose response was lost).
   */
  async uploadBlob(repository: string, digest: string, data: Buffer): Promise<void> {
    const threshold = this.options.chunkedThreshold ?? 32 * 1048576;
    const chunkSize = this.options.chunkSize ?? 16 * 1048576;
    let attempt = 0;
    await this.withRetry(`upload blob ${digest}`, async () => {
      if (attempt++ > 0 && (await this.hasBlob(repository, digest))) return;
      const scopes = [RegistryClient.push(repository)];
      const base = { scopes, repository };
      const start = await this.send({
        ...base,
        method: 'POST',
        url: `/v2/${repository}/blobs/uploads/`,
        headers: { 'Content-Length': '0' },
        operation: `start upload of ${digest}`,
        ok: [202],
      });
      await start.body?.cancel();
      let location = this.location(start, `start upload of ${digest}`);
      if (data.length > threshold) {
        for (let offset = 0; offset < data.length; offset += chunkSize) {
          const chunk = data.subarray(offset, Math.min(offset + chunkSize, data.length));
          const res = await this.send({
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
          this.stats.bytesUploaded += chunk.length;
          location = this.location(res, `upload chunk of ${digest}`);
        }
        const done = await this.send({
          ...base,
          method: 'PUT',
          url: withDigest(location, digest),
          headers: { 'Content-Length': '0' },
          operation: `finish upload of ${digest}`,
          ok: [201],
        });
        await done.body?.cancel();
      } else {
        const res = await this.send({
          ...base,
          method: 'PUT',
          url: withDigest(location, digest),
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(data.length) },
          body: data,
          operation: `upload blob ${digest}`,
          ok: [201],
        });
        await res.body?.cancel();
        this.stats.bytesUploaded += data.length;
      }
    });
  }

  private location(res: Response, operation: string): string {
    const location = res.headers.get('location');
    if (!location) throw new RegistryError(`${operation} on ${this.registry}: the registry returned no Location header`, res.status);
    return this.resolve(location);
  }

  async getManifest(repository: string, reference: string): Promise<ManifestResponse> {
    return this.withRetry(`GET manifest ${reference}`, async () => {
      const res = await this.send({
        method: 'GET',
        url: `/v2/${repository}/manifests/${reference}`,
        headers: { Accept: MANIFEST_ACCEPT },
        scopes: [RegistryClient.pull(repository)],
        repository,
        operation: `GET manifest ${reference}`,
        ok: [200],
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      const digest = sha256Digest(bytes);
      if (reference.startsWith('sha256:') && digest !== reference) {
        throw new RegistryError(`GET manifest ${reference} on ${this.registry}/${repository}: content hashes to ${digest}`, 200, 'DIGEST_INVALID');
      }
      const mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim() || mediaTypeOf(bytes);
      return { bytes, mediaType, digest };
    });
  }

  /** HEAD a manifest: its digest, or undefined when the tag or digest does not exist. */
  async headManifest(repository: string, reference: string): Promise<ManifestHead | undefined> {
    return this.withRetry(`HEAD manifest ${reference}`, async () => {
      const res = await this.send({
        method: 'HEAD',
        url: `/v2/${repository}/manifests/${reference}`,
        headers: { Accept: MANIFEST_ACCEPT },
        scopes: [RegistryClient.pull(repository)],
        repository,
        operation: `HEAD manifest ${reference}`,
        ok: [200, 404],
      });
      if (res.status === 404) return undefined;
      const digest = res.headers.get('docker-content-digest');
      if (!digest) return this.headFromGet(repository, reference);
      return { digest, mediaType: (res.headers.get('content-type') ?? '').split(';')[0].trim(), size: Number(res.headers.get('content-length') ?? 0) };
    });
  }

  private async headFromGet(repository: string, reference: string): Promise<ManifestHead> {
    const m = await this.getManifest(repository, reference);
    return { digest: m.digest, mediaType: m.mediaType, size: m.bytes.length };
  }

  /** PUT manifest bytes unchanged under a tag or their digest; returns the digest and checks the registry agrees. */
  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const digest = sha256Digest(bytes);
    return this.withRetry(`PUT manifest ${reference}`, async () => {
      const res = await this.send({
        method: 'PUT',
        url: `/v2/${repository}/manifests/${reference}`,
        headers: { 'Content-Type': mediaType, 'Content-Length': String(bytes.length) },
        body: bytes,
        scopes: [RegistryClient.push(repository)],
        repository,
        operation: `PUT manifest ${reference}`,
        ok: [201, 200],
      });
      await res.body?.cancel();
      const returned = res.headers.get('docker-content-digest');
      if (returned && returned !== digest) {
        throw new RegistryError(`PUT manifest ${reference} on ${this.registry}/${repository}: registry stored ${returned}, expected ${digest}`, res.status, 'DIGEST_INVALID');
      }
      return digest;
    });
  }

  /** GET a blob, checked against its digest (a slim build output fetches its base layers this way). */
  async getBlob(repository: string, digest: string): Promise<Buffer> {
    return this.withRetry(`GET blob ${digest}`, async () => {
      const res = await this.send({
        method: 'GET',
        url: `/v2/${repository}/blobs/${digest}`,
        scopes: [RegistryClient.pull(repository)],
        repository,
        operation: `GET blob ${digest}`,
        ok: [200],
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      const actual = sha256Digest(bytes);
      if (actual !== digest) throw new RegistryError(`GET blob ${digest} on ${this.registry}/${repository}: content hashes to ${actual}`, 200, 'DIGEST_INVALID');
      return bytes;
    });
  }

  /** Every tag of a repository, following Link pagination. A repository that does not exist has none. */
  async listTags(repository: string, pageSize = 100): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = `/v2/${repository}/tags/list?n=${pageSize}`;
    const seen = new Set<string>();
    while (next && !seen.has(next)) {
      seen.add(next);
      const url: string = next;
      const page = await this.withRetry('list tags', async () => {
        const res = await this.send({
          method: 'GET',
          url,
          scopes: [RegistryClient.pull(repository)],
          repository,
          operation: 'list tags',
          ok: [200, 404],
        });
        if (res.status === 404) {
          await res.body?.cancel();
          return { tags: [] as string[], link: null };
        }
        const body = (await res.json()) as { tags?: string[] | null };
        return { tags: body.tags ?? [], link: res.headers.get('link') };
      });
      tags.push(...page.tags);
      next = nextLink(page.link) ?? undefined;
    }
    return [...new Set(tags)];
  }

  /** DELETE a manifest by digest (removes every tag that names it, in distribution). */
  async deleteManifest(repository: string, digest: string): Promise<void> {
    if (!digest.startsWith('sha256:')) throw new RegistryError(`delete needs a digest, got "${digest}"`);
    await this.withRetry(`DELETE manifest ${digest}`, async () => {
      const res = await this.send({
        method: 'DELETE',
        url: `/v2/${repository}/manifests/${digest}`,
        scopes: [`repository:${repository}:delete`, RegistryClient.push(repository)],
        repository,
        operation: `DELETE manifest ${digest}`,
        ok: [202, 200, 204],
      });
      await res.body?.cancel();
    });
  }
}

function withDigest(location: string, digest: string): string {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url.toString();
}

/** `<...>; rel="next"` from a Link header, as distribution paginates /tags/list. */
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
