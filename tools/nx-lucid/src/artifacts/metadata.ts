import { z } from 'zod';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestSchema as digest } from '../oci/digest';
import { platformObjectSchema } from '../oci/types';
import { formatIssues } from '../config/options';

/**
 * metadata.json: the contract between container-build and every step after it (scan, verify, push).
 * Machine-independent: no absolute paths, no timestamps beyond org.opencontainers.image.created.
 */
export const buildMetadataSchema = z
  .object({
    schemaVersion: z.literal(1),
    project: z.string().min(1),
    phase: z.number().int().positive().nullable(),
    /** Image name without tag, e.g. ghcr.io/hamigames/lucid/auth-service. */
    image: z.string().min(1),
    version: z.string().min(1),
    gitSha: z
      .string()
      .regex(/^[0-9a-f]{40}$/)
      .nullable(),
    /** OCI layout directory, relative to metadata.json's folder. */
    layout: z.literal('oci'),
    index: z.object({ digest, mediaType: z.string(), size: z.number().int().positive() }),
    manifests: z
      .array(
        z.object({
          platform: platformObjectSchema,
          digest,
          mediaType: z.string(),
          size: z.number().int().positive(),
          configDigest: digest,
          /** Sum of the compressed layer sizes of this platform. */
          compressedSize: z.number().int().nonnegative(),
        }),
      )
      .min(1),
    /** Sum over the distinct blobs (configs and layers) of every platform. */
    compressedSize: z.number().int().nonnegative(),
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()),
    base: z.object({ ref: z.string(), digest: digest.nullable() }).nullable(),
    engine: z.object({ name: z.enum(['buildx', 'buildah', 'podman']), version: z.string() }),
    /** BuildKit attestations the index carries (read from the layout): one manifest per platform and kind. */
    attestations: z
      .object({
        provenance: z.boolean(),
        sbom: z.boolean(),
        manifests: z.array(
          z
            .object({
              digest,
              size: z.number().int().positive(),
              subject: digest,
              platform: z.string(),
              predicateTypes: z.array(z.string()),
            })
            .strict(),
        ),
      })
      .strict()
      .default({ provenance: false, sbom: false, manifests: [] }),
  })
  .strict();

export type BuildMetadata = z.infer<typeof buildMetadataSchema>;

export const METADATA_FILE = 'metadata.json';

export function parseBuildMetadata(raw: unknown, source = METADATA_FILE): BuildMetadata {
  const parsed = buildMetadataSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(`${source} does not match the build metadata contract:\n${formatIssues(parsed.error)}`);
  return parsed.data;
}

/** Reads <outputPath>/metadata.json, with a hint when the build has not run. */
export function readBuildMetadata(workspaceRoot: string, outputPath: string): BuildMetadata {
  const file = join(workspaceRoot, outputPath, METADATA_FILE);
  if (!existsSync(file)) {
    throw new Error(`${join(outputPath, METADATA_FILE)} not found: run the container-build target first`);
  }
  return parseBuildMetadata(JSON.parse(readFileSync(file, 'utf8')), join(outputPath, METADATA_FILE));
}
