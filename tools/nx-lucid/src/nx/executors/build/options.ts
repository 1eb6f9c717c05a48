import { z } from 'zod';
import { attestationsSchema, buildCacheSchema, engineSchema, targetFields } from '../../../config/options';

export const title = 'Build executor';
export const description =
  'Build the project image for every configured platform into one OCI image index: <outputPath>/oci (an OCI image layout whose index.json references exactly one image index) and <outputPath>/metadata.json. Pure and cached: it pushes nothing.';

/** oci/ and metadata.json are written into outputPath. */
export const schema = targetFields
  .extend({
    /** Workspace-relative Dockerfile. */
    dockerfile: z.string().min(1),
    /** Build context, relative to the workspace root (the services COPY libs/ and apps/ paths, so it is "."). */
    context: z.string().default('.'),
    /** Registry and repository name the image (image = <registry>/<repository>/<project>); LUCID_* env overrides. */
    registry: z.string().default('ghcr.io'),
    repository: z.string().default('hamigames/lucid'),
    /** Checked against the supported list at run time, so every bad platform is reported together. */
    platforms: z.array(z.string()).min(1).default(['linux/amd64', 'linux/arm64']),
    engine: engineSchema.default('auto'),
    buildCache: buildCacheSchema.default({ type: 'none', mode: 'max' }),
    /** buildx: SLSA provenance and SBOM attestations in the index (LUCID_ATTESTATIONS overrides). */
    attestations: attestationsSchema.default({ provenance: true, sbom: true }),
    registryMirrors: z.record(z.string(), z.string()).default({}),
    buildArgs: z.record(z.string(), z.string()).default({}),
    /** Overrides the version read from pyproject.toml / package.json. */
    version: z.string().min(1).optional(),
    /** org.opencontainers.image.source; default: the GitHub origin remote, else https://github.com/<repository>. */
    sourceUrl: z.string().url().optional(),
    phaseTagPrefix: z.string().default('phase:'),
    target: z
      .string()
      .min(1)
      .optional()
      .describe('The stage to build (--target), as docker/build-push-action `target`; default: the last stage.'),
    /** Set by createNodes when the Dockerfile cannot be analysed: the build fails with it. */
    dockerfileError: z.string().optional(),
    /** Print the exact engine command lines and build nothing. */
    dryRun: z.boolean().default(false),
  })
  .strict();

export type BuildExecutorOptions = z.infer<typeof schema>;
