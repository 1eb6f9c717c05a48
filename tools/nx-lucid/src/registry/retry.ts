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

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Socket-level failures (fetch wraps them as `TypeError: fetch failed` with a `cause`). */
export function isNetworkError(error: unknown): boolean {
  for (let e = error as { code?: string; cause?: unknown; name?: string; message?: string } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.code && NETWORK_CODES.has(e.code)) return true;
    if (e.name === 'TypeError' && e.message === 'fetch failed') return true;
    if (e.message && /other side closed|socket hang up|terminated/i.test(e.message)) return true;
    e = e.cause as typeof e;
  }
  return false;
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
export function backoffDelay(attempt: number, policy: RetryPolicy, retryAfterMs?: number, random = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
