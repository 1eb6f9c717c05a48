import { z } from 'zod';
import {
  pluginDefaulted,
  pluginOptionDescription,
  requireAttestationsSchema,
  retentionSchema,
  targetFields,
} from '../../../config/options';
import { RELEASE_ACTIONS } from '../../../release/plan';
import { CREDENTIAL_SOURCES, registryClientFields } from '../push/options';

export const title = 'Release executor';
export const description = `Version management in the registry, by digest: create <version> [--from <tag>], list, promote <version> (latest → version), rollback [<version>] (latest → version, or the highest release below the current one), delete <version> (refuses while latest or another version names it unless --force; on ghcr.io through the GitHub Packages API), prune (the retention policy: deletes the tags it does not keep, then every manifest no kept tag reaches, never a part or referrer of a kept image), usage (tags, indexes, bytes, push times; --json). Manifest bytes are copied unchanged, so every platform is kept and the digest is identical. A version tag never moves to another digest without --force; every tag change is printed before → after and appended as an audit line to <outputPath>/release.json. Every action has --dry-run. ${CREDENTIAL_SOURCES}`;

export const schema = targetFields
  .extend({
    action: z
      .enum(RELEASE_ACTIONS)
      .optional()
      .describe('create | list | promote | rollback | delete | prune | usage; or the first positional argument.')
      .meta({ $default: { $source: 'argv', index: 0 } }),
    version: z
      .string()
      .optional()
      .describe('v1.2.3 or 1.2.3; or the second positional argument.')
      .meta({ $default: { $source: 'argv', index: 1 } }),
    releaseVersion: z
      .string()
      .optional()
      .describe(
        "Same as version, for the command line: Nx's CLI keeps --version for itself (nx run … --release-version=v1.2.0).",
      ),
    registry: z
      .string()
      .optional()
      .describe(
        'A host of `registries` (default the first), or `all`: every configured registry (as --allRegistries).',
      ),
    allRegistries: z
      .boolean()
      .default(false)
      .describe('Act on every configured registry, each checked before any change.'),
    from: z.string().optional().describe('create: the tag or digest to version (default latest).'),
    force: z
      .boolean()
      .default(false)
      .describe('create: move an existing version; delete: delete even while other tags name the digest.'),
    outputPath: z
      .string()
      .optional()
      .describe('Where release.json (one audit line per tag change) is appended; release reads no build output.'),
    deleteVia: z
      .enum(['auto', 'github', 'registry'])
      .default('auto')
      .describe('How delete works: auto = the GitHub Packages API on ghcr.io, the registry API elsewhere.'),
    githubApiUrl: z
      .string()
      .url()
      .default('https://api.github.com')
      .describe('GitHub API base URL for delete on ghcr.io (GitHub Enterprise: its /api/v3).'),
    githubOwnerType: z
      .enum(['auto', 'org', 'user'])
      .default('auto')
      .describe('Whether the package owner is an organisation or a user (auto: ask the API).'),
    requireAttestations: requireAttestationsSchema.optional().describe(pluginOptionDescription('requireAttestations')),
    ...registryClientFields,
    retention: pluginDefaulted('retention', retentionSchema),
    json: z.boolean().default(false).describe('usage: print the report as JSON instead of a table.'),
    dryRun: z.boolean().default(false).describe('Print what would change; change nothing.'),
    _: z
      .array(z.union([z.string(), z.number()]))
      .optional()
      .describe('Positional arguments Nx did not map (kept so `promote v1.2.0` also works when passed through).')
      .meta({ 'x-priority': 'internal', hidden: true }),
  })
  .strict();

export type ReleaseExecutorOptions = z.infer<typeof schema>;
