import { z } from 'zod';
import { attestationsSchema, buildCacheSchema, engineSchema, targetFields } from '../../../config/options';

/** One build secret: an id and exactly one source, a file or an environment variable (by name). */
const buildSecretSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a secret id is letters, digits, . _ -'),
    src: z.string().min(1).optional(),
    env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'env names an environment variable')
      .optional(),
  })
  .strict()
  .refine((s) => (s.src === undefined) !== (s.env === undefined), {
    message: 'a secret takes exactly one of src (a file) or env (an environment variable name)',
  });

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
    secrets: z
      .array(buildSecretSchema)
      .default([])
      .describe(
        "Build secrets for RUN --mount=type=secret: [{ id, src: <file> } | { id, env: <variable name> }] (--secret id=…,src=…|env=…). The value is never in argv or logs: an env secret passes the variable name, its value through the engine's environment.",
      ),
    buildContexts: z
      .record(z.string(), z.string())
      .default({})
      .describe(
        'Extra named build contexts (--build-context name=value), as docker/build-push-action `build-contexts`: a folder, docker-image://…, oci-layout://…; one named like an image overrides that FROM.',
      ),
    labels: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra image labels, added after the OCI labels the build sets (a same key overrides it).'),
    noCache: z.boolean().default(false).describe("Build without the engine's layer cache (--no-cache)."),
    /** Set by createNodes when the Dockerfile cannot be analysed: the build fails with it. */
    dockerfileError: z.string().optional(),
    /** Print the exact engine command lines and build nothing. */
    dryRun: z.boolean().default(false),
  })
  .strict();

export type BuildExecutorOptions = z.infer<typeof schema>;
