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

/** A registry error's detail as text: distribution puts the storage error there (`{"Op":"write",…}` on a full disk). */
function detailText(detail: unknown): string {
  if (detail === undefined || detail === null) return '';
  const text = typeof detail === 'object' ? JSON.stringify(detail) : String(detail);
  return text && text !== '{}' && text !== '[]' ? ` (${text})` : '';
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
      detail += detailText(first.detail);
    }
  } catch {
    detail = text.trim();
  }
  // Redacted whole, then cut: a cut first would leave a piece of a secret that no longer matches it.
  const said = redact(redactAuthorization(detail));
  const cut = said.length > 600 ? `${said.slice(0, 600)}…` : said;
  const message = redact(`${request.operation} on ${request.where} failed: HTTP ${res.status}${cut ? ` ${cut}` : ''}`);
  return new RegistryError(
    message,
    res.status,
    code,
    isRetryableStatus(res.status),
    parseRetryAfter(res.headers.get('retry-after')),
  );
}
