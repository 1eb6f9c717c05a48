import { z } from 'zod';
import { REGISTRY_MESSAGE, REGISTRY_PATTERN, REPOSITORY_MESSAGE, REPOSITORY_PATTERN } from './names';
import { DEFAULT_TAG_RULES, tagFlavorSchema, tagRuleSchema } from './tag-rules';
import { branchNameSchema, mirrorSchema, targetNameSchema, withoutRepeats, workspacePathSchema } from './validation';

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
export const registrySchema = z.string().regex(REGISTRY_PATTERN, REGISTRY_MESSAGE);

/** OCI distribution repository path components: lowercase alphanumerics with . _ __ - separators. */
export const repositorySchema = z.string().regex(REPOSITORY_PATTERN, REPOSITORY_MESSAGE);

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
    enabled: z
      .boolean()
      .default(DEFAULT_GATE.enabled)
      .describe('false: no scan before container-push (the gate is off).'),
    cvssThreshold: z
      .number()
      .min(0)
      .max(10)
      .default(DEFAULT_GATE.cvssThreshold)
      .describe('Fail when the highest CVSS base score (v3/v4, any source) is at least this.'),
    severity: severitySchema
      .default(DEFAULT_GATE.severity)
      .describe('Fail when a vulnerability has at least this severity.'),
    ignoreUnfixed: z
      .boolean()
      .default(DEFAULT_GATE.ignoreUnfixed)
      .describe('Vulnerabilities without a fixed version do not count.'),
    ignoreStatuses: z
      .array(z.enum(VULN_STATUSES))
      .optional()
      .describe(
        "Trivy's --ignore-status: these vulnerability statuses do not count (when set, ignoreUnfixed has no effect, as in Trivy).",
      ),
    ignoreFile: workspacePathSchema
      .optional()
      .describe(
        'A .trivyignore (ID [exp:YYYY-MM-DD]) or .trivyignore.yaml, relative to the workspace root, read as Trivy reads it.',
      ),
  })
  .strict();

/** An object schema defaulted to what its own fields default to (so the object's default is not restated). */
const defaultedObject = <T extends z.ZodObject>(schema: T) => schema.default(schema.parse({}) as never);

export const buildCacheSchema = z
  .object({
    type: z
      .enum(['gha', 'registry', 'none'])
      .default('none')
      .describe('BuildKit cache backend for buildx: gha (GitHub Actions cache), registry, or none.'),
    ref: z
      .string()
      .optional()
      .describe('For type=registry: the cache image repository; defaults to <image>-buildcache.'),
    mode: z.enum(['min', 'max']).default('max').describe('BuildKit cache-to mode: max exports every layer.'),
  })
  .strict();

/** BuildKit attestations (buildx only; buildah and podman make none). */
export const attestationsSchema = z
  .object({
    provenance: z.boolean().default(true).describe('SLSA provenance, mode=max (every build step).'),
    sbom: z
      .boolean()
      .default(false)
      .describe(
        "Also an SPDX SBOM from BuildKit's scanner image, which BuildKit pulls from docker.io (docker/buildkit-syft-scanner); off by default: the scan target writes the image's CycloneDX SBOM (scan/sbom.cdx.json) with Trivy, for both engines.",
      ),
    sbomGenerator: z.string().min(1).optional().describe('Another scanner image (e.g. a mirrored copy) for the SBOM.'),
  })
  .strict();

/**
 * The release policy (promote, create, nx-release-publish): the Sigstore bundles attached to the image index must
 * verify against this trusted root and identity, one per required predicate type. No default root: the public-good
 * one comes through TUF, which needs the network, so it is a file the repository names (e.g. fetched by
 * `cosign trusted-root create` or from sigstore/root-signing).
 */
export const requireAttestationsSchema = z
  .object({
    predicateTypes: withoutRepeats(z.array(z.string().min(1)).min(1), 'predicate type')
      .default(['https://slsa.dev/provenance/v1'])
      .describe('In-toto predicate types that must each have a verified bundle (e.g. https://cyclonedx.org/bom).'),
    certificateIssuer: z
      .string()
      .url()
      .default('https://token.actions.githubusercontent.com')
      .describe("The signing certificate's OIDC issuer (GitHub Actions' by default)."),
    certificateIdentity: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The certificate's SAN exactly, e.g. https://github.com/<owner>/<repo>/.github/workflows/<file>@refs/heads/main.",
      ),
    certificateIdentityRegExp: z
      .string()
      .min(1)
      .optional()
      .describe(
        "A regular expression the certificate's whole SAN must match (as if between ^ and $), e.g. https://github\\.com/<owner>/<repo>/\\.github/workflows/.+@refs/heads/main.",
      ),
    trustedRoot: workspacePathSchema.describe(
      "Workspace-relative Sigstore trusted_root.json (required: the public-good root needs TUF's network, so it is never implied).",
    ),
  })
  .strict()
  .refine((p) => !!p.certificateIdentity !== !!p.certificateIdentityRegExp, {
    message: 'set exactly one of certificateIdentity and certificateIdentityRegExp',
  })
  .refine(
    (p) => {
      try {
        return p.certificateIdentityRegExp === undefined || !!new RegExp(p.certificateIdentityRegExp);
      } catch {
        return false;
      }
    },
    { message: 'certificateIdentityRegExp is not a valid regular expression' },
  );
export type AttestationPolicyOptions = z.infer<typeof requireAttestationsSchema>;
/** Registry retention for `container-release prune` (and `lucid prune`): which tags stay; what no kept tag reaches goes. */
export const retentionSchema = z
  .object({
    keepShaTags: z
      .number()
      .int()
      .nonnegative()
      .default(10)
      .describe(
        "Keep the sha tags (<sha>, phase<N>-<sha>, sha-<short>) of the N most recently created images; a push's tags for one image count once.",
      ),
    keepDays: z
      .number()
      .nonnegative()
      .default(30)
      .describe(
        'Keep every tag whose image was created less than this many days ago (index annotation org.opencontainers.image.created, else the image config `created`).',
      ),
    branchTags: z
      .array(z.string().min(1))
      .default(['main'])
      .describe(
        'Tags kept whatever their age: the branch tags (type=ref,event=branch), exact names or `*` patterns. Semver tags and `latest` are always kept.',
      ),
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
    name: z
      .string()
      .min(1)
      .optional()
      .describe('Nx project name (else inferred: the variant suffix where unique, folder-qualified where not).'),
    tags: z.array(z.string()).optional().describe('Nx project tags, e.g. phase:1, scope:payment.'),
    context: workspacePathSchema
      .optional()
      .describe("Build context, workspace-relative; wins over a compose file's build.context."),
    buildArgs: z
      .record(z.string(), z.string())
      .optional()
      .describe('Build arguments (--build-arg) for this Dockerfile.'),
    target: z
      .string()
      .min(1)
      .optional()
      .describe("The stage to build (container-build `target`); wins over a compose file's build.target."),
    waitForCopiedProjects: z
      .boolean()
      .optional()
      .describe(
        "true (default): container-build waits for ^container-build, the builds of every project it reads or FROMs. false: only for the projects whose images it FROMs (what breaks a cycle of Dockerfiles reading each other's files).",
      ),
  })
  .strict();
export type DockerfileProjectOptions = z.infer<typeof dockerfileProjectSchema>;

const targetNamesSchema = z
  .object({
    build: targetNameSchema.default('container-build').describe('Name of the inferred build target.'),
    push: targetNameSchema.default('container-push').describe('Name of the inferred push target.'),
    scan: targetNameSchema.default('scan').describe('Name of the inferred scan target.'),
    verify: targetNameSchema.default('container-verify').describe('Name of the inferred verify target.'),
    release: targetNameSchema.default('container-release').describe('Name of the inferred release target.'),
  })
  .strict();

/**
 * The plugin options (nx.json → plugins → @lucid/nx-lucid → options): the one place every plugin-wide default and
 * description is written. Executor schemas take these fields (or their defaults, see pluginDefaulted).
 */
export const pluginOptionsSchema = z
  .object({
    registry: registrySchema
      .default('ghcr.io')
      .describe('Registry host[:port] the images are pushed to (LUCID_REGISTRY overrides).'),
    registries: z
      .array(registrySchema)
      .min(1)
      .optional()
      .describe(
        'Push every image to each of these (same index digest everywhere); `registry` then defaults to the first (LUCID_REGISTRIES overrides).',
      ),
    repository: repositorySchema
      .optional()
      .describe(
        "Repository namespace: images are <registry>/<repository>/<project>. Unset: GITHUB_REPOSITORY, else the origin git remote's owner/name, lower-cased (worked out when the graph is built); with none, builds and pushes ask for it (LUCID_REPOSITORY overrides).",
      ),
    platforms: withoutRepeats(z.array(platformSchema).min(1), 'platform')
      .default(['linux/amd64', 'linux/arm64'])
      .describe('Platforms of the image index, one manifest each (LUCID_PLATFORMS overrides).'),
    engine: engineSchema
      .default('auto')
      .describe('Build engine: auto picks buildx (Docker), else buildah, else podman (LUCID_ENGINE overrides).'),
    gate: defaultedObject(gateSchema).describe(
      'The scan gate: fail on CVSS score or severity; enabled: false drops scan from container-push.',
    ),
    buildCache: defaultedObject(buildCacheSchema).describe(
      'BuildKit cache for buildx builds: gha or registry (LUCID_BUILD_CACHE overrides the type).',
    ),
    attestations: defaultedObject(attestationsSchema).describe(
      "buildx only: SLSA provenance (and, with sbom, BuildKit's SPDX SBOM) attestations in the index (LUCID_ATTESTATIONS overrides).",
    ),
    registryMirrors: z
      .record(registrySchema, mirrorSchema)
      .default({})
      .describe(
        'Where to pull base images from instead of their own registry, e.g. {"gcr.io": "mirror.example:5000/gcr.io"} (LUCID_REGISTRY_MIRRORS overrides).',
      ),
    insecureRegistries: z
      .array(z.string())
      .default([])
      .describe('Registries reached over plain HTTP, e.g. a local mirror (LUCID_INSECURE_REGISTRIES overrides).'),
    phaseTagPrefix: z
      .string()
      .default('phase:')
      .describe(
        'Project tag prefix that carries the phase (phase:2 → the io.lucid.phase label and the phase2-<sha> tag).',
      ),
    tags: z
      .array(tagRuleSchema)
      .default(DEFAULT_TAG_RULES)
      .describe(
        "Tag rules for container-push: docker/metadata-action v6.2.0's (`type=…,key=value` strings or objects), plus phase-sha and latest.",
      ),
    tagFlavor: tagFlavorSchema
      .optional()
      .describe(
        "docker/metadata-action's flavor: `latest=auto|true|false`, `prefix=…`, `suffix=…` (`onlatest=true`), as lines or an object.",
      ),
    latestOnBranch: branchNameSchema.default('main').describe('The only branch whose pushes move `latest`.'),
    outputRoot: workspacePathSchema
      .default('dist/containers')
      .describe('Workspace-relative folder of the build outputs: <outputRoot>/<project>.'),
    skipDockerfiles: z
      .array(z.string())
      .default(DEFAULT_SKIP_DOCKERFILES)
      .describe('Dockerfiles matching these globs are not inferred as projects; replaces the default list.'),
    waitForCopiedProjects: z
      .boolean()
      .default(true)
      .describe(
        'true: container-build waits for ^container-build (every project it reads or FROMs); false: only for the projects whose images it FROMs (what it COPYs is already among its inputs). Per Dockerfile in `projects`.',
      ),
    buildContext: workspacePathSchema
      .default('.')
      .describe('Build context of a Dockerfile no compose file or `projects` entry gives one, workspace-relative.'),
    compose: z
      .boolean()
      .default(true)
      .describe('Read docker-compose*.y*ml / compose*.y*ml build blocks for contexts and build args.'),
    projects: z
      .record(z.string(), dockerfileProjectSchema)
      .default({})
      .describe(
        "Names, tags, contexts and build args per Dockerfile path (the init generator writes the seed's services here).",
      ),
    targetNames: defaultedObject(targetNamesSchema).describe('Names of the inferred targets.'),
    requireAttestations: requireAttestationsSchema
      .optional()
      .describe(
        'Release policy: promote, create and nx-release-publish refuse an image index without a verified Sigstore bundle per predicate type, signed by this issuer and identity (unset: no check).',
      ),
    retention: defaultedObject(retentionSchema).describe(
      'Registry retention for container-release prune: keep semver tags, latest, branchTags, the newest keepShaTags sha images and anything younger than keepDays; delete other tags, then manifests no kept tag reaches.',
    ),
  })
  .strict();

export type PluginOptionKey = keyof typeof pluginOptionsSchema.shape;

/** Every plugin option's default (what nx.json without the key means). */
export const PLUGIN_DEFAULTS = pluginOptionsSchema.parse({});

/** A plugin option's description (the one text for nx.json, executor schemas, --help and docs). */
export function pluginOptionDescription(key: PluginOptionKey): string {
  return pluginOptionsSchema.shape[key].description ?? '';
}

/**
 * A plugin option as an executor schema declares it: `type` (an executor may check less at parse time than the
 * plugin, e.g. the build reports a bad platform together with every other problem) with the plugin's default and
 * description, so neither is restated.
 */
export function pluginDefaulted<T extends z.ZodType>(key: PluginOptionKey, type: T, description?: string) {
  return type.default(PLUGIN_DEFAULTS[key] as never).describe(description ?? pluginOptionDescription(key));
}

/**
 * The fields every inferred container target passes (createNodes' shared options): each executor schema
 * extends this set, narrowing a field where it needs more (the build's defaults, verify's platform check).
 */
export const targetFields = z.object({
  outputPath: workspacePathSchema.describe(
    'Workspace-relative build output folder (<outputRoot>/<project>): metadata.json, oci/ and what later steps write beside it.',
  ),
  registry: z
    .string()
    .optional()
    .describe(`${pluginOptionDescription('registry')} Default: the plugin option.`),
  registries: z.array(z.string()).optional().describe(pluginOptionDescription('registries')),
  repository: z
    .string()
    .optional()
    .describe(`${pluginOptionDescription('repository')} Default: the plugin option.`),
  platforms: withoutRepeats(z.array(z.string()), 'platform')
    .optional()
    .describe(`${pluginOptionDescription('platforms')} Default: the plugin option.`),
  insecureRegistries: pluginOptionsSchema.shape.insecureRegistries,
});

export type PluginOptions = z.infer<typeof pluginOptionsSchema>;
export type AttestationOptions = z.infer<typeof attestationsSchema>;
export type BuildCacheOptions = z.infer<typeof buildCacheSchema>;
export type GateOptions = z.infer<typeof gateSchema>;
export type RetentionOptions = z.infer<typeof retentionSchema>;
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
