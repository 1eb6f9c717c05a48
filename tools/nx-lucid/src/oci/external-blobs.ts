/**
 * external-blobs.json, beside index.json in a slim build output: the blobs the image references but the output
 * does not hold (the base image's layers), and where they can be fetched again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../boundary/files';
import { digestSchema as digest } from './digest';

export const EXTERNAL_BLOBS_FILE = 'external-blobs.json';

export const externalBlobsSchema = z
  .object({
    schemaVersion: z.literal(1),
    source: z
      .object({
        /** The base image as the Dockerfile names it, e.g. gcr.io/distroless/python3-debian12:nonroot. */
        ref: z.string().min(1),
        /** Registry (or mirror) host[:port] the build pulled it from. */
        registry: z.string().min(1),
        /** Repository there, e.g. mirror/gcr.io/distroless/python3-debian12. */
        repository: z.string().min(1),
        /** The base index or manifest digest that was built on. */
        digest,
        insecure: z.boolean(),
      })
      .strict(),
    blobs: z.array(z.object({ digest, size: z.number().int().nonnegative(), mediaType: z.string().min(1) }).strict()),
  })
  .strict();

export type ExternalBlobs = z.infer<typeof externalBlobsSchema>;

/** The layout's external blobs, or undefined for a complete (full) layout. */
export function readExternalBlobs(layoutDir: string): ExternalBlobs | undefined {
  const file = join(layoutDir, EXTERNAL_BLOBS_FILE);
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file} is not JSON (${(e as Error).message}); rebuild with container-build`, { cause: e });
  }
  const parsed = externalBlobsSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `${file} is not a valid external blob list: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

export function writeExternalBlobs(layoutDir: string, value: ExternalBlobs): void {
  const checked = externalBlobsSchema.parse({
    ...value,
    blobs: [...value.blobs].sort((a, b) => a.digest.localeCompare(b.digest)),
  });
  writeJsonAtomic(join(layoutDir, EXTERNAL_BLOBS_FILE), checked);
}
