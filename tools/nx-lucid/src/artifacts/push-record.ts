import { z } from 'zod';

const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'expected sha256:<64 hex>');
const count = z.number().int().nonnegative();

/** push.json, beside the build output: what container-push did (the main job's summary and sibling mounts read it). */
export const pushRecordSchema = z.object({
  schemaVersion: z.literal(1),
  project: z.string().min(1),
  /** registry/repository the index went to. */
  image: z.string().min(1),
  digest,
  platforms: z.array(z.string()),
  /** Tags now naming the digest (set by this push, or already). */
  tags: z.array(z.string()),
  uploadedBytes: count,
  /** Blobs of the index: uploaded, mounted from a sibling repository, already present (skipped). */
  blobs: z.object({
    total: count,
    uploaded: count,
    uploadedBytes: count,
    mounted: count,
    mountedBytes: count,
    skipped: count,
    skippedBytes: count,
  }),
  manifestsPut: count,
  retries: count,
});

export type PushRecord = z.infer<typeof pushRecordSchema>;
