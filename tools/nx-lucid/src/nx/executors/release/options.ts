import { z } from 'zod';
import { targetFields } from '../../../config/options';
import { RELEASE_ACTIONS } from '../../../release/plan';

export const title = 'Release executor';
export const description =
  'Version management in the registry, by digest: create <version> [--from <tag>], list, promote <version> (latest → version), rollback [<version>] (latest → version, or the highest release below the current one), delete <version> (refuses while latest or another version names it unless --force; on ghcr.io through the GitHub Packages API). Manifest bytes are copied unchanged, so every platform is kept and the digest is identical. A version tag never moves to another digest without --force; every tag change is printed before → after and appended as an audit line to <outputPath>/release.json. Every action has --dry-run.';

export const schema = targetFields
  .extend({
    /** create | list | promote | rollback | delete; or the first positional argument. */
    action: z
      .enum(RELEASE_ACTIONS)
      .optional()
      .meta({ $default: { $source: 'argv', index: 0 } }),
    /** v1.2.3 or 1.2.3; or the second positional argument. */
    version: z
      .string()
      .optional()
      .meta({ $default: { $source: 'argv', index: 1 } }),
    /** Same as version, for the command line: Nx's CLI keeps --version for itself (nx run … --release-version=v1.2.0). */
    releaseVersion: z.string().optional(),
    /** A host of `registries` (default the first), or `all`: every configured registry (as --allRegistries). */
    registry: z.string().optional(),
    allRegistries: z.boolean().default(false),
    /** create: the tag or digest to version (default latest). */
    from: z.string().optional(),
    /** create: move an existing version; delete: delete even while other tags name the digest. */
    force: z.boolean().default(false),
    /** Passed by the inferred target; release reads no build output, it appends its audit lines to <outputPath>/release.json. */
    outputPath: z.string().optional(),
    /** How delete works: auto = the GitHub Packages API on ghcr.io, the registry API elsewhere. */
    deleteVia: z.enum(['auto', 'github', 'registry']).default('auto'),
    githubApiUrl: z.string().url().default('https://api.github.com'),
    githubOwnerType: z.enum(['auto', 'org', 'user']).default('auto'),
    /** Read the registry password/token from stdin instead of GHCR_TOKEN/GITHUB_TOKEN. */
    passwordStdin: z.boolean().default(false),
    username: z.string().optional(),
    retries: z.number().int().min(0).max(20).default(6),
    /** Print what would change; change nothing. */
    dryRun: z.boolean().default(false),
    /** Positional arguments Nx did not map (kept so `promote v1.2.0` also works when passed through). */
    _: z.array(z.union([z.string(), z.number()])).optional(),
  })
  .strict();

export type ReleaseExecutorOptions = z.infer<typeof schema>;
