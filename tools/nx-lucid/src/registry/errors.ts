/** What the registry client throws, and how a registry's error answer becomes one (redacted, Authorization values cut). */
import { redactAuthorization } from '../boundary/redaction';
import { isRetryableStatus, parseRetryAfter } from './retry';

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

/** A non-answer response as a RegistryError: the registry's code and message, Authorization values cut, secrets redacted. */
export async function errorFromResponse(
  res: Response,
  request: { method: string; operation: string; where: string },
  redact: (text: string) => string,
): Promise<RegistryError> {
  let text = '';
  try {
    text = request.method === 'HEAD' ? '' : await res.text();
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
  const message = redact(
    redactAuthorization(
      `${request.operation} on ${request.where} failed: HTTP ${res.status}${detail ? ` ${detail}` : ''}`,
    ),
  );
  return new RegistryError(
    message,
    res.status,
    code,
    isRetryableStatus(res.status),
    parseRetryAfter(res.headers.get('retry-after')),
  );
}
