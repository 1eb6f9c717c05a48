/** Version and build-identity tags as container-release reads and writes them (v<semver>, <sha>, phase<N>-<sha>). Pure. */
import { valid as semverValid } from 'semver';
import { assertTag } from './naming';

export const LATEST = 'latest';

const SHA = /^[0-9a-f]{40}$/;

/**
 * "1.2.3" or "v1.2.3" → "v1.2.3". Build metadata (+…) is refused: `+` is not allowed in a tag,
 * and silently dropping it would let two versions share one tag.
 */
export function versionTag(version: string): string {
  const raw = version.trim();
  const bare = raw.replace(/^v/, '');
  if (!semverValid(bare) || semverValid(bare) !== bare) {
    throw new Error(`invalid version "${version}": expected semver such as 1.2.3 or v1.2.3 (optionally -prerelease)`);
  }
  if (bare.includes('+'))
    throw new Error(`invalid version "${version}": build metadata (+…) cannot be part of an image tag`);
  return assertTag(`v${bare}`);
}

/** Whether a tag is one of ours for a version (v<semver>), and that semver. */
export function semverOfTag(tag: string): string | undefined {
  if (!tag.startsWith('v')) return undefined;
  const bare = tag.slice(1);
  return semverValid(bare) === bare ? bare : undefined;
}

/** Tags that identify a build (the commit and phase-commit); they travel with the version they were pushed with. */
export function isBuildIdentityTag(tag: string): boolean {
  return SHA.test(tag) || /^phase\d+-[0-9a-f]{40}$/.test(tag);
}
