import { z } from 'zod';

const checks = ['forbidden-path', 'user', 'label', 'platform-missing', 'platform-mismatch', 'layout'] as const;

/** verify.json, beside the build output: the policy checked, what each platform holds, and every finding. */
export const verifyRecordSchema = z
  .object({
    schemaVersion: z.literal(1),
    project: z.string().min(1),
    image: z.string().min(1),
    index: z.string(),
    policy: z.object({
      platforms: z.array(z.string()),
      forbiddenPaths: z.array(z.string()),
      requiredLabels: z.array(z.string()),
      sourceRepository: z.string(),
    }),
    platforms: z.array(
      z.object({
        platform: z.string(),
        manifest: z.string(),
        config: z.string(),
        user: z.string().nullable(),
        layers: z.array(z.string()),
        paths: z.number().int().nonnegative(),
      }),
    ),
    findings: z.array(
      z.object({
        check: z.enum(checks),
        platform: z.string().optional(),
        layer: z.string().optional(),
        manifest: z.string().optional(),
        config: z.string().optional(),
        path: z.string().optional(),
        message: z.string(),
      }),
    ),
    success: z.boolean(),
  })
  .strict();

export type VerifyRecord = z.infer<typeof verifyRecordSchema>;
