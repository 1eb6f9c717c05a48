import { z } from 'zod';
import { pluginOptionsSchema, repositorySchema, targetFields } from '../../../config/options';
import { DEFAULT_FORBIDDEN_PATHS, DEFAULT_REQUIRED_LABELS } from '../../../verify/checks';

export const title = 'Verify executor';
export const description =
  "Check the built image offline (OCI layout + metadata.json, no container runtime): no shell or package manager in any platform's final filesystem, a non-root user, the required OCI labels with the source pointing at the repository, and every configured platform present and matching its config. Writes <outputPath>/verify.json.";

/** verify.json is written into outputPath; verify reaches no registry, so it takes no insecureRegistries. */
export const schema = targetFields
  .omit({ insecureRegistries: true })
  .extend({
    repository: repositorySchema
      .optional()
      .describe('Repository namespace; the default source repository is https://github.com/<repository>.'),
    platforms: pluginOptionsSchema.shape.platforms.describe(
      'Platforms the index must contain (LUCID_PLATFORMS overrides, as for the build).',
    ),
    forbiddenPaths: z
      .array(z.string().regex(/^\//, 'must be an absolute path, e.g. /bin/sh'))
      .default([...DEFAULT_FORBIDDEN_PATHS])
      .describe('Absolute paths that must not exist in the final filesystem (symlinks and hard links count).'),
    additionalForbiddenPaths: z
      .array(z.string().regex(/^\//, 'must be an absolute path, e.g. /bin/sh'))
      .default([])
      .describe('Extra paths on top of forbiddenPaths (so a project can add without restating the defaults).'),
    requiredLabels: z
      .array(z.string().min(1))
      .default([...DEFAULT_REQUIRED_LABELS])
      .describe('Labels every platform config must carry.'),
    sourceRepository: z
      .string()
      .url()
      .optional()
      .describe('What org.opencontainers.image.source must be; default https://github.com/<repository>.'),
    dryRun: z
      .boolean()
      .default(false)
      .describe(
        'Accepted for symmetry with the other targets: verify only reads the build output and writes its report.',
      ),
  })
  .strict();

export type VerifyExecutorOptions = z.infer<typeof schema>;
