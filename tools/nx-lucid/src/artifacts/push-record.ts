import { z } from 'zod';
import { digestSchema as digest } from '../oci/digest';

const count = z.number().int().nonnegative();

/** Blobs of the index: uploaded, mounted from a sibling repository, already present (skipped). */
const blobCounts = z.object({
  total: count,
  uploaded: count,
  uploadedBytes: count,
  mounted: count,
  mountedBytes: count,
  skipped: count,
  skippedBytes: count,
  /** Bytes of interrupted uploads the registry still held, resumed instead of sent again. */
  resumedBytes: count.default(0),
});

/** One registry of a push to several (plugin option `registries`). */
const registryPushSchema = z.object({
  image: z.string().min(1),
  digest,
  tags: z.array(z.string()),
  blobs: blobCounts,
  manifestsPut: count,
  retries: count,
});

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
  blobs: blobCounts,
  manifestsPut: count,
  retries: count,
  /** A push to several registries: each one (the first is also the top-level fields), same digest in all. */
  registries: z.array(registryPushSchema).min(2).optional(),
});

export type PushRecord = z.infer<typeof pushRecordSchema>;
