import { z } from 'zod';
import { repositorySchema, targetFields } from '../../../config/options';
import { DEFAULT_TAG_RULES, tagFlavorSchema, tagRuleSchema } from '../../../config/tag-rules';

export const title = 'Push executor';
export const description =
  'Push the built OCI layout (dist/containers/<project>/oci + metadata.json) by digest: only the blobs the registry lacks (mounted from sibling repositories when they have them), then each platform manifest, then the index, and only then the tags (by the `tags` rules; default: git SHA, phase<N>-<sha>, v<semver> for a release only, and latest on the default branch). A version tag that already names another digest is refused before anything is written, unless --force. Writes <outputPath>/push.json. Credentials: GHCR_TOKEN or GITHUB_TOKEN (user GITHUB_ACTOR), or --password-stdin.';

/** The platforms pushed are those of the build output (platforms is accepted from the inferred target). */
export const schema = targetFields
  .extend({
    /** `latest` is applied on this branch (from GITHUB_REF_NAME, else git). */
    latestOnBranch: z.string().default('main'),
    /** auto: latest only on latestOnBranch; always: force it; never: skip it. */
    latest: z.enum(['auto', 'always', 'never']).default('auto'),
    /** The release version (makes this push a release: semver tags are applied). */
    version: z.string().optional(),
    /** Same as version, for the command line: Nx's CLI keeps --version for itself. */
    releaseVersion: z.string().optional(),
    /** Tag rules: docker/metadata-action v6.2.0's (strings or objects) plus phase-sha and latest; version rules apply only to a release (a git tag, --releaseVersion, nx release). */
    tags: z.array(tagRuleSchema).default(DEFAULT_TAG_RULES),
    /** docker/metadata-action's flavor (latest, prefix, suffix, onlatest). */
    tagFlavor: tagFlavorSchema.optional(),
    /** Move a version tag that already names another digest; without it such a push is refused before anything is written. */
    force: z.boolean().default(false),
    /** Apply the semver tags at all. */
    versionTag: z.boolean().default(true),
    /** Commit for the SHA tags; default GITHUB_SHA, else git HEAD, else metadata.json's gitSha. */
    sha: z.string().optional(),
    /** Prefix of the project tag that carries the phase (phase:2 → phase2-<sha>). */
    phaseTagPrefix: z.string().default('phase:'),
    /** Extra repositories of the same registry to mount blobs from (siblings are tried anyway). */
    mountFrom: z.array(repositorySchema).default([]),
    /** Read the registry password/token from stdin instead of GHCR_TOKEN/GITHUB_TOKEN. */
    passwordStdin: z.boolean().default(false),
    /** Username for the token; default GITHUB_ACTOR, else "token". */
    username: z.string().optional(),
    /** Retries of a failed request (429, 5xx, dropped connection) before giving up. */
    retries: z.number().int().min(0).max(20).default(6),
    /** Print what would be uploaded and tagged; write nothing anywhere. */
    dryRun: z.boolean().default(false),
  })
  .strict();

export type PushExecutorOptions = z.infer<typeof schema>;
