/**
 * The one request envelope of the registry client: resolve the URL, add the Authorization header, answer a
 * 401 challenge once (through the Authorizer), turn unexpected statuses into RegistryErrors, and retry a
 * whole operation on what can recover (429, 5xx, resets, timeouts). A refused connection or a DNS failure
 * gets a short bounded wait (a registry that is starting), a port Node refuses none.
 */
import { Challenge, Credentials, parseChallenge } from './auth';
import { Authorizer } from './authorizer';
import { errorFromResponse, RegistryError, RetryEvent } from './errors';
import {
  backoffDelay,
  classifyFailure,
  DEFAULT_RETRY,
  isRetryableStatus,
  parseRetryAfter,
  RetryPolicy,
  UNREACHABLE_RETRY,
} from './retry';

export interface TransportOptions {
  /** host[:port], no scheme. */
  registry: string;
  insecureRegistries?: readonly string[];
  credentials?: Credentials;
  retry?: Partial<RetryPolicy>;
  onRetry?: (event: RetryEvent) => void;
  /** Per request; an upload gets extra time per MiB. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface ClientStats {
  requests: number;
  retries: number;
  bytesUploaded: number;
  /** Bytes an upload did not send again because it resumed a session the registry kept. */
  bytesResumed: number;
}

export interface Request {
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

/** Loopback and configured insecure registries speak plain HTTP; everything else HTTPS. */
export function registryScheme(registry: string, insecureRegistries: readonly string[] = []): 'http' | 'https' {
  const host = registry.replace(/:\d+$/, '');
  if (host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || /^127\./.test(host)) return 'http';
  return insecureRegistries.includes(registry) || insecureRegistries.includes(host) ? 'http' : 'https';
}

export const pullScope = (repo: string) => `repository:${repo}:pull`;
export const pushScope = (repo: string) => `repository:${repo}:pull,push`;

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Transport {
  readonly baseUrl: string;
  readonly registry: string;
  readonly stats: ClientStats = { requests: 0, retries: 0, bytesUploaded: 0, bytesResumed: 0 };
  readonly auth: Authorizer;
  private readonly policy: RetryPolicy;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly timeoutMs: number;

  constructor(private readonly options: TransportOptions) {
    this.registry = options.registry;
    this.baseUrl = `${registryScheme(options.registry, options.insecureRegistries)}://${options.registry}`;
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.sleep = options.sleep ?? sleepMs;
    this.timeoutMs = options.timeoutMs ?? 120000;
    this.auth = new Authorizer(options.registry, options.credentials, (url, headers) => {
      this.stats.requests++;
      return this.fetchImpl(url, { headers, signal: AbortSignal.timeout(this.timeoutMs) });
    });
  }

  redact(text: string): string {
    return this.auth.redact(text);
  }

  /** Runs an operation, retrying what can recover with backoff; the whole operation restarts. */
  async withRetry<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const kind = e instanceof RegistryError ? (e.retryable ? 'transient' : 'fatal') : classifyFailure(e);
        const limit =
          kind === 'transient'
            ? this.policy.retries
            : kind === 'unreachable'
              ? Math.min(this.policy.retries, UNREACHABLE_RETRY.retries)
              : 0;
        if (attempt >= limit) {
          if (e instanceof RegistryError) throw e;
          const gaveUp = kind !== 'fatal' ? ` (gave up after ${attempt + 1} attempts)` : '';
          throw new RegistryError(`${operation} on ${this.registry} failed: ${this.describe(e)}${gaveUp}`);
        }
        const policy = kind === 'unreachable' ? { ...this.policy, ...UNREACHABLE_RETRY } : this.policy;
        const delayMs = backoffDelay(attempt, policy, e instanceof RegistryError ? e.retryAfterMs : undefined);
        this.stats.retries++;
        this.options.onRetry?.({ operation, attempt: attempt + 1, delayMs, reason: this.describe(e) });
        await this.sleep(delayMs);
      }
    }
  }

  describe(e: unknown): string {
    const parts: string[] = [];
    for (let c = e as { message?: string; code?: string; cause?: unknown } | undefined, d = 0; c && d < 4; d++) {
      if (c.message && !parts.includes(c.message))
        parts.push(c.code && !c.message.includes(c.code) ? `${c.message} (${c.code})` : c.message);
      c = c.cause as typeof c;
    }
    return this.redact(parts.join(': ') || String(e));
  }

  resolve(url: string): string {
    return /^https?:\/\//.test(url) ? url : new URL(url, this.baseUrl).toString();
  }

  /** One HTTP exchange, with whatever Authorization we hold; no status handling. */
  async raw(o: Request): Promise<Response> {
    const headers: Record<string, string> = { 'User-Agent': 'nx-lucid', ...o.headers };
    const auth = this.auth.header(o.scopes);
    if (auth) headers.Authorization = auth;
    const timeout = this.timeoutMs + (o.body ? Math.ceil(o.body.length / 1048576) * 1000 : 0);
    this.stats.requests++;
    // Registries redirect blob GETs only, which we do not do; fetch's default redirect handling is fine.
    return this.fetchImpl(this.resolve(o.url), {
      method: o.method,
      headers,
      body: o.body,
      signal: AbortSignal.timeout(timeout),
    });
  }

  /** One request with the auth dance; transient failures surface as retryable errors for withRetry. */
  async send(o: Request): Promise<Response> {
    let res = await this.raw(o);
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      await res.body?.cancel();
      await this.auth.answer(challenge, o);
      res = await this.raw(o);
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        throw this.auth.failure(res.status, o);
      }
    }
    if (o.ok.includes(res.status)) return res;
    throw await errorFromResponse(
      res,
      { method: o.method, operation: o.operation, where: this.where(o.repository) },
      (t) => this.redact(t),
    );
  }

  /** GET /v2/: 200 open, 401 needs auth (the challenge says how). Never throws on 401. */
  async ping(): Promise<{ status: number; challenge?: Challenge }> {
    return this.withRetry('ping', async () => {
      const res = await this.raw({ method: 'GET', url: '/v2/', scopes: [], operation: 'ping', ok: [] });
      await res.body?.cancel();
      if (isRetryableStatus(res.status)) {
        throw new RegistryError(
          `ping ${this.registry}: HTTP ${res.status}`,
          res.status,
          undefined,
          true,
          parseRetryAfter(res.headers.get('retry-after')),
        );
      }
      return { status: res.status, challenge: parseChallenge(res.headers.get('www-authenticate')) };
    });
  }

  location(res: Response, operation: string): string {
    const location = res.headers.get('location');
    if (!location)
      throw new RegistryError(`${operation} on ${this.registry}: the registry returned no Location header`, res.status);
    return this.resolve(location);
  }

  where(repository?: string): string {
    return repository ? `${this.registry}/${repository}` : this.registry;
  }
}
