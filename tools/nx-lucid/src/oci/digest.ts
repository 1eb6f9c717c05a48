import { createHash } from 'node:crypto';
import { z } from 'zod';

/** The one digest pattern: every schema, reference parser and check uses it. */
export const DIGEST = /^sha256:[a-f0-9]{64}$/;

export const digestSchema = z.string().regex(DIGEST, 'expected sha256:<64 hex>');

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function assertDigest(digest: string, what = 'digest'): string {
  if (!DIGEST.test(digest)) throw new Error(`invalid ${what} "${digest}": expected sha256:<64 hex digits>`);
  return digest;
}
