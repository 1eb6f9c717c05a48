/**
 * Suites that need something no npm or Debian package provides (BuildKit built from source, the Lucid tree
 * snapshot, a third-party cache server) run only where it is present. A plain clone skips them with one printed
 * line naming what is missing and how to provide it; with LUCID_REQUIRE_ALL_SUITES=1 (set by .ci/run, which has
 * ../shared beside the clone) a missing requirement fails its suite instead, so CI runs every suite.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root; ../shared sits beside it where the team's tools and snapshots are. */
const REPO_ROOT = resolve(__dirname, '../../../..');
const SHARED = resolve(REPO_ROOT, '..', 'shared');

export const REQUIRE_ALL_SUITES_ENV = 'LUCID_REQUIRE_ALL_SUITES';
/** Where scripts/test.sh collects the skip lines to repeat them under the Jest summary. */
export const SKIPPED_SUITES_FILE_ENV = 'LUCID_SKIPPED_SUITES_FILE';

export interface ExternalRequirement {
  /** What the suite needs, as a reader names it. */
  what: string;
  /** The files that must exist (the first one is named in the skip line). */
  paths: string[];
  /** How to provide it. */
  howTo: string;
}

/** BuildKit v0.24 + buildx v0.28 built from source, and the dockerfile frontend image (../shared/tools/buildkit). */
export function buildkitRequirement(source: string): ExternalRequirement {
  return {
    what: 'BuildKit and buildx binaries built from source',
    paths: [join(source, 'install.sh'), join(source, 'dockerfile-frontend-1.18.0.oci.tar')],
    howTo:
      'put the buildkit folder (install.sh, SHA256SUMS, the binaries tarball, dockerfile-frontend-1.18.0.oci.tar) ' +
      'at ../shared/tools/buildkit or set LUCID_BUILDKIT_SOURCE to it',
  };
}

/** The real HamiGames/Lucid tree at 29c889df (the user's repository: never copied into this one). */
export const LUCID_TREE_TARBALL =
  process.env.LUCID_TREE_TARBALL ?? join(SHARED, 'fixtures', 'lucid', 'lucid-29c889df.tar.gz');
export const lucidTreeRequirement: ExternalRequirement = {
  what: 'the Lucid tree snapshot (HamiGames/Lucid at 29c889df)',
  paths: [LUCID_TREE_TARBALL],
  howTo:
    'put lucid-29c889df.tar.gz at ../shared/fixtures/lucid/ or set LUCID_TREE_TARBALL to it ' +
    '(git archive --format=tar.gz of HamiGames/Lucid at 29c889df)',
};

/** mavarazo/nx-cache at 2d59ad2a (Nx's self-hosted remote-cache API), as kept in ../shared/tools/nx-cache-server. */
export const NX_CACHE_SERVER_SOURCE =
  process.env.LUCID_NX_CACHE_SERVER_SOURCE ?? join(SHARED, 'tools', 'nx-cache-server', 'src');
export const nxCacheServerRequirement: ExternalRequirement = {
  what: 'the nx-cache-server sources (mavarazo/nx-cache at 2d59ad2a)',
  paths: [join(NX_CACHE_SERVER_SOURCE, 'package.json')],
  howTo:
    'put mavarazo/nx-cache at ../shared/tools/nx-cache-server/src or set LUCID_NX_CACHE_SERVER_SOURCE to its checkout',
};

/** The requirements of `needs` that are not there, each with the first of its files that is missing. */
export function missingRequirements(needs: ExternalRequirement[]): Array<{ need: ExternalRequirement; path: string }> {
  return needs.flatMap((need) => {
    const path = need.paths.find((p) => !existsSync(p));
    return path === undefined ? [] : [{ need, path }];
  });
}

/** One line per missing requirement: what, where it was looked for, how to provide it. */
export function skipLine(suite: string, missing: ReturnType<typeof missingRequirements>): string {
  const reasons = missing.map(({ need, path }) => `${need.what} not found (${path}); ${need.howTo}`);
  return `skipped "${suite}": ${reasons.join('; ')}`;
}

/**
 * A describe() that runs when every requirement is present. Otherwise the suite is skipped with one line on stderr
 * (and in $LUCID_SKIPPED_SUITES_FILE), or, with LUCID_REQUIRE_ALL_SUITES=1, fails with that line as its error.
 */
export function describeWhenAvailable(needs: ExternalRequirement[]): (name: string, body: () => void) => void {
  return (name, body) => {
    const missing = missingRequirements(needs);
    if (missing.length === 0) return describe(name, body);
    const line = skipLine(name, missing);
    if (process.env[REQUIRE_ALL_SUITES_ENV] === '1') {
      return describe(name, () => {
        it(`has what it needs (${REQUIRE_ALL_SUITES_ENV}=1)`, () => {
          throw new Error(line.replace(/^skipped/, 'cannot run'));
        });
      });
    }
    process.stderr.write(`${line}\n`);
    const report = process.env[SKIPPED_SUITES_FILE_ENV];
    if (report) appendFileSync(report, `${line}\n`);
    describe.skip(name, body);
  };
}
