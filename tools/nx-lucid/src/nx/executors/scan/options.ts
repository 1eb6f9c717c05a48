import { z } from 'zod';
import { pluginOptionsSchema, targetFields } from '../../../config/options';
import { workspacePathSchema } from '../../../config/validation';
import { parseImageReference } from '../../../image/naming';

/** registry/repository[:tag][@sha256:…], checked as every image reference is. */
const imageReferenceSchema = z
  .string()
  .min(1)
  .superRefine((ref, ctx) => {
    try {
      parseImageReference(ref);
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        message: `${(e as Error).message} (expected registry/repository[:tag][@sha256:…])`,
      });
    }
  });

export const title = 'Scan executor';
export const description =
  'Run Trivy on the built OCI layout (one run per platform) or on a registry reference, gate on CVSS and severity, and write report.json, report.sarif, summary.md and gate.json into <outputPath>/scan.';

/**
 * scan/ is written into outputPath; the image name comes from metadata.json; platforms are those to scan with
 * imageRef (the OCI layout's own platforms are read from metadata.json).
 */
export const schema = targetFields
  .extend({
    gate: pluginOptionsSchema.shape.gate,
    imageRef: imageReferenceSchema
      .optional()
      .describe(
        "Scan this registry reference (e.g. ghcr.io/org/app@sha256:…) instead of the built OCI layout: our registry client pulls it with push's credentials into a private layout, which Trivy reads (it holds no credential).",
      ),
    insecureRegistries: pluginOptionsSchema.shape.insecureRegistries.describe(
      'With imageRef: registries pulled from over plain HTTP; loopback always is.',
    ),
    platform: z.string().optional().describe('Scan only this platform, e.g. linux/amd64.'),
    cacheDir: workspacePathSchema
      .optional()
      .describe(
        "This project's Trivy cache dir, relative to the workspace root (default .lucid/trivy-cache/<project>).",
      ),
    dbCacheDir: z
      .string()
      .optional()
      .describe(
        "A Trivy cache dir holding a DB downloaded once (`trivy image --download-db-only --cache-dir DIR`); scans then link its db/ and pass --skip-db-update. Default: $LUCID_TRIVY_DB_DIR. Without it each project's cache dir downloads (and keeps) its own DB.",
      ),
    sarif: z
      .enum(['auto', 'trivy', 'built-in'])
      .default('auto')
      .describe(
        "SARIF from `trivy convert` (auto: falling back to the built-in conversion when that fails, and taking it when the SARIF must be cut to GitHub's 25,000 results, as it is made and cut in bounded memory), or always one of them.",
      ),
    timeoutMinutes: z.number().positive().default(20).describe('Kill a Trivy run that takes longer than this.'),
    dryRun: z
      .boolean()
      .default(false)
      .describe('Print the Trivy commands and the files it would write; run nothing, write nothing.'),
  })
  .strict();

export type ScanExecutorOptions = z.infer<typeof schema>;
