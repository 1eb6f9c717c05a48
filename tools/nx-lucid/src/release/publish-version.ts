/**
 * `nx release publish` for a container service: which version its nx-release-publish task publishes. Pure.
 * nx release passes the versions it decided as `nxReleaseVersionData` (newVersion null: this project was not
 * versioned in this release, so there is nothing to publish); `nx release publish` on its own passes none, and the
 * version is the one in the service's pyproject.toml (what `nx release version` wrote).
 */
import { readPyprojectVersion } from './pyproject-version';

/** One project's entry of Nx's VersionData (nx/src/command-line/release/utils/shared). */
export interface ReleaseVersionEntry {
  currentVersion?: string | null;
  newVersion: string | null;
}

export interface ReleasePublishInput {
  project: string;
  versionData?: Record<string, ReleaseVersionEntry>;
  /** The service's pyproject.toml text, or null when it has none. */
  pyproject: { file: string; text: string | null };
  /** npm-only options `nx release publish` forwards when given on its command line. */
  npmOptions: { tag?: string; otp?: string | number; access?: string };
}

export type PublishDecision =
  { publish: true; version: string; source: 'nx-release' | 'pyproject' } | { publish: false; reason: string };

export function decidePublishVersion(input: ReleasePublishInput): PublishDecision {
  const { tag, otp, access } = input.npmOptions;
  if (tag !== undefined) {
    throw new Error(`--tag "${tag}" is an npm dist-tag; image tags come from the plugin's tag rules (option "tags")`);
  }
  if (otp !== undefined || access !== undefined) {
    throw new Error(`--${otp !== undefined ? 'otp' : 'access'} is an npm registry option; image publishing has none`);
  }
  const entry = input.versionData?.[input.project];
  if (input.versionData && !entry) {
    return { publish: false, reason: `nx release did not version ${input.project} in this release` };
  }
  if (entry) {
    if (entry.newVersion === null)
      return { publish: false, reason: `nx release found no new version for ${input.project}` };
    return { publish: true, version: entry.newVersion, source: 'nx-release' };
  }
  const { file, text } = input.pyproject;
  if (text === null) {
    throw new Error(`${file} not found: nx release publish takes the service's version from it (or from nx release)`);
  }
  return { publish: true, version: readPyprojectVersion(text, file).version, source: 'pyproject' };
}

/**
 * The image must have been built from the version being released (the build labels it from pyproject.toml).
 * Returns the problem, if any; a dry run has not written the new version yet, so there it is only a note.
 */
export function builtVersionMismatch(
  built: string,
  version: string,
  where: { outputPath: string; project: string },
): string | undefined {
  if (built === version) return undefined;
  return (
    `${where.outputPath}/metadata.json was built from version ${built}, not ${version}: ` +
    `\`nx run ${where.project}:nx-release-publish\` builds and scans it first (a filtered \`nx release publish --projects\` does not)`
  );
}
