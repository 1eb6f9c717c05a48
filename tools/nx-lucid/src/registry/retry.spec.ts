import { backoffDelay, isNetworkError, isRetryableStatus, parseRetryAfter } from './retry';

const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };

describe('retry policy', () => {
  it('retries 429 and 5xx, not 4xx answers', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 501].some(isRetryableStatus)).toBe(false);
  });
  it('honours Retry-After in seconds or as a date, capped', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(backoffDelay(0, policy, 5000)).toBe(1000);
  });
  it('backs off exponentially with jitter within [ceiling/2, ceiling]', () => {
    expect(backoffDelay(0, policy, undefined, () => 0)).toBe(50);
    expect(backoffDelay(3, policy, undefined, () => 1)).toBe(800);
    expect(backoffDelay(10, policy, undefined, () => 1)).toBe(1000);
  });
  it('recognises socket failures wrapped by fetch', () => {
    const err = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    });
    expect(isNetworkError(err)).toBe(true);
    expect(isNetworkError(new Error('invalid version'))).toBe(false);
  });
});
