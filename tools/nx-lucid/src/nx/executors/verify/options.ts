import { z } from 'zod';
import { platformSchema, repositorySchema, targetFields } from '../../../config/options';
import { DEFAULT_FORBIDDEN_PATHS, DEFAULT_REQUIRED_LABELS } from '../../../verify/checks';

export const title = 'Verify executor';
export const description =
  "Check the built image offline (OCI layout + metadata.json, no container runtime): no shell or package manager in any platform's final filesystem, a non-root user, the required OCI labels with the source pointing at the repository, and every configured platform present and matching its config. Writes <outputPath>/verify.json.";

/** verify.json is written into outputPath; verify reaches no registry, so it takes no insecureRegistries. */
export const schema = targetFields
  .omit({ insecureRegistries: true })
  .extend({
    /** The default source repository is https://github.com/<repository>. */
    repository: repositorySchema.optional(),
    /** Platforms the index must contain (LUCID_PLATFORMS overrides, as for the build). */
    platforms: z.array(platformSchema).min(1).default(['linux/amd64', 'linux/arm64']),
    /** Absolute paths that must not exist in the final filesystem (symlinks and hard links count). */
    forbiddenPaths: z
      .array(z.string().regex(/^\//, 'must be an absolute path, e.g. /bin/sh'))
      .default([...DEFAULT_FORBIDDEN_PATHS]),
    /** Extra paths on top of forbiddenPaths (so a project can add without restating the defaults). */
    additionalForbiddenPaths: z.array(z.string().regex(/^\//, 'must be an absolute path, e.g. /bin/sh')).default([]),
    requiredLabels: z.array(z.string().min(1)).default([...DEFAULT_REQUIRED_LABELS]),
    /** What org.opencontainers.image.source must be; default https://github.com/<repository>. */
    sourceRepository: z.string().url().optional(),
    /** Accepted for symmetry with the other targets: verify only reads the build output and writes its report. */
    dryRun: z.boolean().default(false),
  })
  .strict();

export type VerifyExecutorOptions = z.infer<typeof schema>;
