/** Retry policy for registry calls: which failures are transient and how long to wait. Pure. */

export interface RetryPolicy {
  /** Attempts after the first one. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 6, baseDelayMs: 250, maxDelayMs: 15000 };

/** 429 and 5xx are worth another try; other statuses are answers. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/** Failures of the connection itself that a retry can fix: the peer dropped it or it timed out. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Nobody listens, or the name does not resolve: worth a short wait (a registry starting), not a long one. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** At most this for a refused connection or a DNS failure: 2 more attempts within about a second. */
export const UNREACHABLE_RETRY = { retries: 2, baseDelayMs: 200, maxDelayMs: 600 } as const;

export type FailureKind = 'transient' | 'unreachable' | 'fatal';

type Cause = { code?: string; cause?: unknown; name?: string; message?: string } | undefined;

/** How a thrown (non-HTTP) failure should be treated; fetch wraps socket errors as `TypeError: fetch failed` with a `cause`. */
export function classifyFailure(error: unknown): FailureKind {
  let sawFetchFailed = false;
  for (let e = error as Cause, depth = 0; e && depth < 5; depth++) {
    if (e.code && UNREACHABLE_CODES.has(e.code)) return 'unreachable';
    if (e.code && TRANSIENT_CODES.has(e.code)) return 'transient';
    // Node refuses some ports outright (fetch spec "bad port"): no attempt will ever succeed.
    if (e.message === 'bad port' || e.code === 'ERR_INVALID_URL') return 'fatal';
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'transient';
    if (e.message && /other side closed|socket hang up|terminated/i.test(e.message)) return 'transient';
    if (e.name === 'TypeError' && e.message === 'fetch failed') sawFetchFailed = true;
    e = e.cause as Cause;
  }
  return sawFetchFailed ? 'transient' : 'fatal';
}

/** Socket-level failures (refused, reset, timed out, unresolvable) as opposed to bugs or answers. */
export function isNetworkError(error: unknown): boolean {
  return classifyFailure(error) !== 'fatal';
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Exponential backoff with full jitter; an explicit Retry-After wins (capped at maxDelayMs so a
 * hostile value cannot stall CI for hours).
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs?: number,
  random = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
