import { z } from 'zod';
import { digestSchema as digest } from '../oci/digest';

/** One tag change container-release made: the audit line. before/after null: the tag did not / no longer exists. */
export const releaseChangeSchema = z
  .object({
    /** ISO time of the change. */
    at: z.string().datetime(),
    action: z.enum(['create', 'promote', 'rollback', 'delete', 'prune']),
    image: z.string().min(1),
    tag: z.string().min(1),
    before: digest.nullable(),
    after: digest.nullable(),
    /** A version tag moved (or deleted with others) by --force. */
    forced: z.boolean(),
  })
  .strict();

/** release.json, beside the build output: every change container-release made, oldest first (appended to). */
export const releaseRecordSchema = z
  .object({
    schemaVersion: z.literal(1),
    project: z.string().min(1),
    changes: z.array(releaseChangeSchema),
  })
  .strict();

export type ReleaseChange = z.infer<typeof releaseChangeSchema>;
export type ReleaseRecord = z.infer<typeof releaseRecordSchema>;
