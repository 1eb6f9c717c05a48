import { z } from 'zod';
import { pluginOptionsSchema, repositorySchema, targetFields } from '../../../config/options';
import { workspacePathSchema } from '../../../config/validation';

/** Where push and release find a registry's credentials, first that yields any (README: Registry credentials). */
export const CREDENTIAL_SOURCES =
  'Credentials, per registry, the first found: --password-stdin; LUCID_REGISTRY_<HOST>_USERNAME/_PASSWORD; for ghcr.io only GHCR_TOKEN, then GITHUB_TOKEN (user GITHUB_ACTOR); $DOCKER_CONFIG/config.json or ~/.docker/config.json (credHelpers, credsStore, auths).';

export const title = 'Push executor';
export const description = `Push the built OCI layout (dist/containers/<project>/oci + metadata.json) by digest: only the blobs the registry lacks (mounted from sibling repositories when they have them), then each platform manifest, then the index, and only then the tags (by the \`tags\` rules; default: git SHA, phase<N>-<sha>, v<semver> for a release only, and latest on the default branch). A version tag that already names another digest is refused before anything is written, unless --force. Writes <outputPath>/push.json. ${CREDENTIAL_SOURCES}`;

const plugin = pluginOptionsSchema.shape;

/** Shared by push and release: how they authenticate and retry. */
export const registryClientFields = {
  passwordStdin: z
    .boolean()
    .default(false)
    .describe('Read the registry password or token from stdin (one registry only); wins over every other source.'),
  username: z.string().optional().describe('Username for --password-stdin; default GITHUB_ACTOR, else "token".'),
  retries: z
    .number()
    .int()
    .min(0)
    .max(20)
    .default(6)
    .describe('Retries of a failed registry request (429, 5xx, dropped connection) before giving up.'),
};

/** The platforms pushed are those of the build output (platforms is accepted from the inferred target). */
export const schema = targetFields
  .extend({
    latestOnBranch: plugin.latestOnBranch,
    latest: z
      .enum(['auto', 'always', 'never'])
      .default('auto')
      .describe('auto: `latest` by the tag rules (latestOnBranch); always: force it; never: skip it.'),
    version: z
      .string()
      .optional()
      .describe('The release version (makes this push a release: semver tags are applied).'),
    releaseVersion: z
      .string()
      .optional()
      .describe("Same as version, for the command line: Nx's CLI keeps --version for itself."),
    tags: plugin.tags,
    tagFlavor: plugin.tagFlavor,
    force: z
      .boolean()
      .default(false)
      .describe(
        'Move a version tag that already names another digest; without it such a push is refused before anything is written.',
      ),
    versionTag: z.boolean().default(true).describe('Apply the semver tags at all (false: never, even for a release).'),
    sha: z
      .string()
      .optional()
      .describe("Commit for the SHA tags; default GITHUB_SHA, else git HEAD, else metadata.json's gitSha."),
    phaseTagPrefix: plugin.phaseTagPrefix,
    mountFrom: z
      .array(repositorySchema)
      .default([])
      .describe('Extra repositories of the same registry to mount blobs from (sibling services are tried anyway).'),
    ...registryClientFields,
    dryRun: z.boolean().default(false).describe('Print what would be uploaded and tagged; write nothing anywhere.'),
    attachAttestations: z
      .boolean()
      .default(false)
      .describe(
        "Attach the build's SLSA v1 provenance and the scan's CycloneDX SBOM (scan/sbom.cdx.json) to the pushed index as OCI referrers (unsigned in-toto statements; the referrers API, else the sha256-<hex> tag).",
      ),
    attestationBundles: z
      .array(workspacePathSchema)
      .optional()
      .describe(
        'Workspace-relative Sigstore bundle files (DSSE in-toto statements naming the pushed index) to attach as actions/attest does.',
      ),
  })
  .strict();

export type PushExecutorOptions = z.infer<typeof schema>;
