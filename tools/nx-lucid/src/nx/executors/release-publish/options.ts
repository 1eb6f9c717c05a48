import { z } from 'zod';
import { pluginOptionDescription, requireAttestationsSchema } from '../../../config/options';
import { schema as pushSchema } from '../push/options';

export const title = 'nx-release-publish executor';
export const description =
  "Run by `nx release publish`: pushes the already-built, already-scanned image (dist/containers/<project>) by digest with the release's tags (v<version> and the other tag rules); no rebuild. The version is the one nx release decided (nxReleaseVersionData), else the service's pyproject.toml version. Blobs and manifests the registry has are skipped, so a pushed image only gains tags.";

/** One project's entry of Nx's VersionData; every field typed, since Nx validates options against schema.json. */
const versionEntry = z
  .object({
    newVersion: z.string().nullable(),
    currentVersion: z.string().nullable().optional(),
    dockerVersion: z.string().nullable().optional(),
    dependentProjects: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .passthrough();

/** Set by nx release, never by a person: hidden from --help. */
const internal = { 'x-priority': 'internal', hidden: true } as const;
/** npm options nx release forwards when given; refused with a clear error (images have no dist-tags or OTP). */
const refusedNpmOption =
  'npm option that nx release forwards; refused (an image has no dist-tag, OTP or access level).';

/** The push options (the inferred target copies the push target's), minus the version, plus what nx release passes. */
export const schema = pushSchema
  .omit({ version: true, releaseVersion: true })
  .extend({
    requireAttestations: requireAttestationsSchema.optional().describe(pluginOptionDescription('requireAttestations')),
    nxReleaseVersionData: z
      .record(z.string(), versionEntry)
      .optional()
      .describe('Set by nx release: project → the version it decided (newVersion null: not released this time).')
      .meta(internal),
    firstRelease: z
      .boolean()
      .optional()
      .describe('Passed by nx release; nothing differs for a first release (the registry is checked by digest anyway).')
      .meta(internal),
    verbose: z.boolean().optional().describe('Passed by nx release; accepted and unused.').meta(internal),
    tag: z.string().optional().describe(refusedNpmOption).meta(internal),
    otp: z.union([z.string(), z.number()]).optional().describe(refusedNpmOption).meta(internal),
    access: z.string().optional().describe(refusedNpmOption).meta(internal),
  })
  .strict();

export type ReleasePublishExecutorOptions = z.infer<typeof schema>;
