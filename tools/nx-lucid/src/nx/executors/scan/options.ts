import { z } from 'zod';
import { DEFAULT_GATE, gateSchema, targetFields } from '../../../config/options';

export const title = 'Scan executor';
export const description =
  'Run Trivy on the built OCI layout (one run per platform) or on a registry reference, gate on CVSS and severity, and write report.json, report.sarif, summary.md and gate.json into <outputPath>/scan.';

/**
 * scan/ is written into outputPath; the image name comes from metadata.json; platforms are those to scan with
 * imageRef (the OCI layout's own platforms are read from metadata.json).
 */
export const schema = targetFields
  .extend({
    gate: gateSchema.default(DEFAULT_GATE),
    /** Scan this registry reference (e.g. ghcr.io/org/app@sha256:…) instead of the built OCI layout. */
    imageRef: z.string().min(1).optional(),
    /** With imageRef: registries reached over plain HTTP (Trivy gets --insecure); loopback always is. */
    insecureRegistries: z.array(z.string()).default([]),
    /** Scan only this platform, e.g. linux/amd64. */
    platform: z.string().optional(),
    /** This project's Trivy cache dir, relative to the workspace root (default .lucid/trivy-cache/<project>). */
    cacheDir: z.string().optional(),
    /**
     * A Trivy cache dir holding a DB downloaded once (`trivy image --download-db-only --cache-dir DIR`); scans then
     * link its db/ and pass --skip-db-update. Default: $LUCID_TRIVY_DB_DIR. Without it each project's cache
     * dir downloads (and keeps) its own DB.
     */
    dbCacheDir: z.string().optional(),
    /** SARIF from `trivy convert` (falling back to the built-in conversion when that fails), or always one of them. */
    sarif: z.enum(['auto', 'trivy', 'built-in']).default('auto'),
    /** Kill a Trivy run that takes longer than this. */
    timeoutMinutes: z.number().positive().default(20),
    /** Print the Trivy commands and the files it would write; run nothing, write nothing. */
    dryRun: z.boolean().default(false),
  })
  .strict();

export type ScanExecutorOptions = z.infer<typeof schema>;
