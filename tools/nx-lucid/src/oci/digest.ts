import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DIGEST } from './digest-pattern';

export { DIGEST };

export const digestSchema = z.string().regex(DIGEST, 'expected sha256:<64 hex>');

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function assertDigest(digest: string, what = 'digest'): string {
  if (!DIGEST.test(digest)) throw new Error(`invalid ${what} "${digest}": expected sha256:<64 hex digits>`);
  return digest;
}
