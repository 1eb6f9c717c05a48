import { createHash } from 'node:crypto';

export const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function assertDigest(digest: string, what = 'digest'): string {
  if (!DIGEST.test(digest)) throw new Error(`invalid ${what} "${digest}": expected sha256:<64 hex digits>`);
  return digest;
}
