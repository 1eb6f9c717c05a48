import { z } from 'zod';
import { pluginDefaulted, pluginOptionsSchema, targetFields } from '../../../config/options';

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
    repository: pluginDefaulted('repository', z.string()),
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
    dockerfileError: z
      .string()
      .optional()
      .describe('Set by createNodes when the Dockerfile cannot be analysed: the build fails with it.')
      .meta({ 'x-priority': 'internal', hidden: true }),
    dryRun: z.boolean().default(false).describe('Print the exact engine command lines and build nothing.'),
  })
  .strict();

export type BuildExecutorOptions = z.infer<typeof schema>;
