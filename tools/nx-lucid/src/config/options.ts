import { z } from 'zod';
import { DEFAULT_TAG_RULES, tagFlavorSchema, tagRuleSchema } from './tag-rules';

/** Platforms an OCI index may carry for our distroless services. */
export const SUPPORTED_PLATFORMS = [
  'linux/amd64',
  'linux/arm64',
  'linux/arm/v7',
  'linux/ppc64le',
  'linux/s390x',
] as const;

export const platformSchema = z.string().refine((p) => (SUPPORTED_PLATFORMS as readonly string[]).includes(p), {
  message: `unknown platform; expected one of ${SUPPORTED_PLATFORMS.join(', ')}`,
});

/** Registry host[:port], lowercase; no scheme. */
export const registrySchema = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$/,
    'registry must be a lowercase host[:port] without scheme, e.g. ghcr.io',
  );

/** OCI distribution repository path components: lowercase alphanumerics with . _ __ - separators. */
export const repositorySchema = z
  .string()
  .regex(
    /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/,
    'repository must be lowercase path components (a-z, 0-9, . _ -), e.g. hamigames/lucid',
  );

/** trivy-db's vulnerability statuses (pkg/types/status.go); a missing or unknown Status reads as "unknown". */
export const VULN_STATUSES = [
  'unknown',
  'not_affected',
  'affected',
  'fixed',
  'under_investigation',
  'will_not_fix',
  'fix_deferred',
  'end_of_life',
] as const;

export const severitySchema = z.enum(['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);

/** The gate when nothing is configured (the one place: the plugin options, the scan executor and scan/gate use it). */
export const DEFAULT_GATE = { enabled: true, cvssThreshold: 7.0, severity: 'CRITICAL', ignoreUnfixed: false } as const;

export const gateSchema = z
  .object({
    enabled: z.boolean().default(DEFAULT_GATE.enabled),
    cvssThreshold: z.number().min(0).max(10).default(DEFAULT_GATE.cvssThreshold),
    severity: severitySchema.default(DEFAULT_GATE.severity),
    ignoreUnfixed: z.boolean().default(DEFAULT_GATE.ignoreUnfixed),
    /** Trivy's --ignore-status: these vulnerability statuses do not count (when set, ignoreUnfixed has no effect, as in Trivy). */
    ignoreStatuses: z.array(z.enum(VULN_STATUSES)).optional(),
    /** A .trivyignore (ID [exp:YYYY-MM-DD]) or .trivyignore.yaml, relative to the workspace root, read as Trivy reads it. */
    ignoreFile: z.string().optional(),
  })
  .strict();

export const buildCacheSchema = z
  .object({
    /** BuildKit cache backend for buildx: gha (GitHub Actions cache), registry, or none. */
    type: z.enum(['gha', 'registry', 'none']).default('none'),
    /** For type=registry: the cache image repository; defaults to <image>-buildcache. */
    ref: z.string().optional(),
    mode: z.enum(['min', 'max']).default('max'),
  })
  .strict();

/** BuildKit attestations (buildx only; buildah and podman make none). */
export const attestationsSchema = z
  .object({
    /** SLSA provenance, mode=max (every build step). */
    provenance: z.boolean().default(true),
    /** SPDX SBOM from BuildKit's scanner image, which BuildKit pulls (docker.io/docker/buildkit-syft-scanner). */
    sbom: z.boolean().default(true),
    /** Another scanner image (e.g. a mirrored copy) for the SBOM. */
    sbomGenerator: z.string().min(1).optional(),
  })
  .strict();

export const engineSchema = z.enum(['auto', 'buildx', 'buildah', 'podman']);

/** Dockerfiles that are not projects: copies, references, generated or vendored trees (minimatch, workspace-relative). */
export const DEFAULT_SKIP_DOCKERFILES = [
  '**/node_modules/**',
  '**/dist/**',
  '**/.nx/**',
  '**/tmp/**',
  '**/.lucid/**',
  '**/.git/**',
  '**/__fixtures__/**',
  '**/* copy*',
  '**/*.ref',
  '**/*.bak',
  '**/*.orig',
  '**/*__tmpl__*',
];

/** Per-Dockerfile settings, keyed by the Dockerfile's workspace-relative path. */
export const dockerfileProjectSchema = z
  .object({
    /** Nx project name (else inferred: the variant suffix where unique, folder-qualified where not). */
    name: z.string().min(1).optional(),
    tags: z.array(z.string()).optional(),
    /** Build context, workspace-relative; wins over a compose file's build.context. */
    context: z.string().optional(),
    buildArgs: z.record(z.string(), z.string()).optional(),
    /** The stage to build (container-build `target`); wins over a compose file's build.target. */
    target: z.string().min(1).optional(),
    /**
     * true (default): container-build waits for ^container-build, the builds of every project it reads or FROMs.
     * false: only for the projects whose images it FROMs — what breaks a cycle of Dockerfiles reading each other's files.
     */
    waitForCopiedProjects: z.boolean().optional(),
  })
  .strict();
export type DockerfileProjectOptions = z.infer<typeof dockerfileProjectSchema>;

export const pluginOptionsSchema = z
  .object({
    registry: registrySchema.default('ghcr.io'),
    /** Push every image to each of these (same index digest everywhere); `registry` then defaults to the first. */
    registries: z.array(registrySchema).min(1).optional(),
    repository: repositorySchema.default('hamigames/lucid'),
    platforms: z.array(platformSchema).min(1).default(['linux/amd64', 'linux/arm64']),
    engine: engineSchema.default('auto'),
    gate: gateSchema.default(DEFAULT_GATE),
    buildCache: buildCacheSchema.default({ type: 'none', mode: 'max' }),
    attestations: attestationsSchema.default({ provenance: true, sbom: true }),
    /** Where to pull base images from instead of their own registry, e.g. {"gcr.io": "mirror.example:5000/gcr.io"}. */
    registryMirrors: z.record(z.string(), z.string()).default({}),
    /** Registries reached over plain HTTP (a local mirror). */
    insecureRegistries: z.array(z.string()).default([]),
    /** Tag prefix that carries the phase, e.g. "phase:" in phase:1. */
    phaseTagPrefix: z.string().default('phase:'),
    /** Tag rules for container-push: docker/metadata-action v6.2.0's (`type=…,key=value` strings or objects), plus phase-sha and latest. */
    tags: z.array(tagRuleSchema).default(DEFAULT_TAG_RULES),
    /** docker/metadata-action's flavor: `latest=auto|true|false`, `prefix=…`, `suffix=…` (`onlatest=true`), as lines or an object. */
    tagFlavor: tagFlavorSchema.optional(),
    /** `latest` is only pushed from this branch. */
    latestOnBranch: z.string().default('main'),
    outputRoot: z.string().default('dist/containers'),
    /** Dockerfiles matching these globs are not inferred as projects; replaces the default list. */
    skipDockerfiles: z.array(z.string()).default(DEFAULT_SKIP_DOCKERFILES),
    /**
     * true: container-build waits for ^container-build (every project it reads or FROMs); false: only for the projects
     * whose images it FROMs (what it COPYs is already among its inputs). Per Dockerfile in `projects`.
     */
    waitForCopiedProjects: z.boolean().default(true),
    /** Build context of a Dockerfile no compose file or `projects` entry gives one, workspace-relative. */
    buildContext: z.string().default('.'),
    /** Read docker-compose*.y*ml / compose*.y*ml build blocks for contexts and build args. */
    compose: z.boolean().default(true),
    /** Names, tags, contexts and build args per Dockerfile path (the init generator writes the seed's services here). */
    projects: z.record(z.string(), dockerfileProjectSchema).default({}),
    targetNames: z
      .object({
        build: z.string().default('container-build'),
        push: z.string().default('container-push'),
        scan: z.string().default('scan'),
        verify: z.string().default('container-verify'),
        release: z.string().default('container-release'),
      })
      .strict()
      .default({
        build: 'container-build',
        push: 'container-push',
        scan: 'scan',
        verify: 'container-verify',
        release: 'container-release',
      }),
  })
  .strict();

/**
 * The fields every inferred container target passes (createNodes' shared options): each executor schema
 * extends this set, narrowing a field where it needs more (the build's defaults, verify's platform check).
 */
export const targetFields = z.object({
  /** dist/containers/<project>: the build output (metadata.json, oci/) and what later steps write beside it. */
  outputPath: z.string().min(1),
  /** Registry host[:port]; LUCID_REGISTRY overrides. */
  registry: z.string().optional(),
  /** Push to each of these registries (LUCID_REGISTRIES overrides); default [registry]. */
  registries: z.array(z.string()).optional(),
  /** Repository prefix, the image is <registry>/<repository>/<project>; LUCID_REPOSITORY overrides. */
  repository: z.string().optional(),
  /** LUCID_PLATFORMS overrides. */
  platforms: z.array(z.string()).optional(),
  /** Registries reached over plain HTTP; LUCID_INSECURE_REGISTRIES overrides. */
  insecureRegistries: z.array(z.string()).default([]),
});

export type PluginOptions = z.infer<typeof pluginOptionsSchema>;
export type AttestationOptions = z.infer<typeof attestationsSchema>;
export type BuildCacheOptions = z.infer<typeof buildCacheSchema>;
export type GateOptions = z.infer<typeof gateSchema>;
export type EngineName = z.infer<typeof engineSchema>;
export type PluginOptionsInput = z.input<typeof pluginOptionsSchema>;

/** Formats zod issues as "path: message" lines, for errors a person reads. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `  - ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('\n');
}

/** Parses executor or generator options with their zod schema; the error lists every bad field. */
export function parseOptionsWith<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) throw new Error(`invalid options for @lucid/nx-lucid:${what}:\n${formatIssues(parsed.error)}`);
  return parsed.data;
}

export function normalizePluginOptions(raw: unknown): PluginOptions {
  const parsed = pluginOptionsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new Error(`Invalid @lucid/nx-lucid options in nx.json:\n${formatIssues(parsed.error)}`);
  }
  // `registries` without `registry`: the first one is the registry (release's default, push.json's top level).
  const given = (raw ?? {}) as { registry?: unknown };
  if (parsed.data.registries && given.registry === undefined) parsed.data.registry = parsed.data.registries[0];
  return parsed.data;
}

/** Every registry a push goes to: `registries`, else just `registry`. */
export function registryList(options: Pick<PluginOptions, 'registry' | 'registries'>): string[] {
  return [...new Set(options.registries ?? [options.registry])];
}
