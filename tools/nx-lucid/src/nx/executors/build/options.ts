import { z } from 'zod';
import { pluginDefaulted, pluginOptionDescription, pluginOptionsSchema, targetFields } from '../../../config/options';

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

const plugin = pluginOptionsSchema.shape;

/** oci/ and metadata.json are written into outputPath. Plugin-wide fields take the plugin's defaults (config/options.ts). */
export const schema = targetFields
  .extend({
    dockerfile: z.string().min(1).describe('Workspace-relative path of the Dockerfile.'),
    context: pluginDefaulted(
      'buildContext',
      z.string(),
      'Build context, relative to the workspace root (the services COPY libs/ and apps/ paths, so it is ".").',
    ),
    // Registry, repository and platforms are checked at run time (after the LUCID_* overrides), so every bad value
    // is reported together with the other problems.
    registry: pluginDefaulted('registry', z.string()),
    repository: z.string().optional().describe(pluginOptionDescription('repository')),
    platforms: pluginDefaulted('platforms', z.array(z.string()).min(1)),
    engine: plugin.engine,
    buildCache: plugin.buildCache,
    attestations: plugin.attestations,
    registryMirrors: plugin.registryMirrors,
    buildArgs: z
      .record(z.string(), z.string())
      .default({})
      .describe('Build arguments (--build-arg), from a compose build block or the `projects` plugin option.'),
    version: z
      .string()
      .min(1)
      .optional()
      .describe('The image version (label and metadata.json); default: pyproject.toml, else package.json, else 0.0.0.'),
    sourceUrl: z
      .string()
      .url()
      .optional()
      .describe(
        'The org.opencontainers.image.source label; default: the GitHub origin remote, else https://github.com/<repository>.',
      ),
    phaseTagPrefix: plugin.phaseTagPrefix,
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
    dockerfileError: z
      .string()
      .optional()
      .describe('Set by createNodes when the Dockerfile cannot be analysed: the build fails with it.')
      .meta({ 'x-priority': 'internal', hidden: true }),
    dryRun: z.boolean().default(false).describe('Print the exact engine command lines and build nothing.'),
  })
  .strict();

export type BuildExecutorOptions = z.infer<typeof schema>;
