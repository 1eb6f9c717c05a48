/**
 * Version management, planned from a snapshot of the repository's tags (tag → digest). Pure: the
 * executor reads the snapshot, asks for a plan, prints it (dry-run) or carries it out by digest.
 */
import { compare as semverCompare, prerelease } from 'semver';
import { isBuildIdentityTag, LATEST, semverOfTag, versionTag } from '../image/tags';
import { assertTag } from '../image/naming';
import { DIGEST } from '../oci/digest';

export const RELEASE_ACTIONS = ['create', 'list', 'promote', 'rollback', 'delete', 'prune', 'usage'] as const;
export type ReleaseAction = (typeof RELEASE_ACTIONS)[number];

/** tag → manifest digest, as the registry reports it now. */
export type TagSnapshot = ReadonlyMap<string, string>;

export type ReleaseStep =
  /** PUT the manifest bytes of `digest` under `tag` (digest unchanged, every platform kept). */
  | { kind: 'tag'; tag: string; digest: string; previous?: string }
  /** Delete the manifest by digest; `tags` are the tags that go with it. */
  | { kind: 'delete'; digest: string; tags: string[] };

export interface ReleasePlan {
  action: ReleaseAction;
  steps: ReleaseStep[];
  /** One line saying what happens (or that nothing needs to). */
  summary: string;
}

export class ReleaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseError';
  }
}

export interface ReleaseArgsInput {
  action?: string;
  version?: string;
  from?: string;
  /** Positional arguments Nx leaves over: `nx run p:container-release promote v1.2.0`. */
  _?: unknown[];
}

export interface ReleaseArgs {
  action: ReleaseAction;
  version?: string;
  from?: string;
}

/** Named options win; positional arguments fill the action, then the version. */
export function resolveReleaseArgs(input: ReleaseArgsInput): ReleaseArgs {
  const positional = (input._ ?? []).map((a) => String(a));
  let action = input.action;
  if (!action) action = positional.shift();
  let version = input.version;
  if (version === undefined && positional.length) version = positional.shift();
  if (positional.length) throw new ReleaseError(`unexpected extra argument(s): ${positional.join(' ')}`);
  if (!action)
    throw new ReleaseError(
      `missing action: one of ${RELEASE_ACTIONS.join(', ')} (e.g. nx run <project>:container-release promote v1.2.0)`,
    );
  if (!(RELEASE_ACTIONS as readonly string[]).includes(action)) {
    throw new ReleaseError(`unknown action "${action}": expected one of ${RELEASE_ACTIONS.join(', ')}`);
  }
  const a = action as ReleaseAction;
  if ((a === 'create' || a === 'promote' || a === 'delete') && !version)
    throw new ReleaseError(
      `${a} needs a version: ${a} v1.2.0, or --release-version=v1.2.0 (Nx's CLI keeps --version for itself)`,
    );
  if ((a === 'list' || a === 'prune' || a === 'usage') && version)
    throw new ReleaseError(`${a} takes no version (got "${version}")`);
  return { action: a, version: version === undefined ? undefined : String(version), from: input.from };
}

function tagsNaming(snapshot: TagSnapshot, digest: string): string[] {
  return [...snapshot.entries()]
    .filter(([, d]) => d === digest)
    .map(([t]) => t)
    .sort();
}

function versionTags(snapshot: TagSnapshot): Array<{ tag: string; semver: string; digest: string }> {
  return [...snapshot.entries()]
    .map(([tag, digest]) => ({ tag, digest, semver: semverOfTag(tag) }))
    .filter((v): v is { tag: string; semver: string; digest: string } => v.semver !== undefined)
    .sort((a, b) => semverCompare(b.semver, a.semver));
}

function requireVersion(snapshot: TagSnapshot, version: string, repo: string): { tag: string; digest: string } {
  const tag = versionTag(version);
  const digest = snapshot.get(tag);
  if (!digest) {
    const known = versionTags(snapshot).map((v) => v.tag);
    throw new ReleaseError(
      `version ${tag} does not exist in ${repo}${known.length ? ` (versions: ${known.slice(0, 10).join(', ')})` : ' (it has no version tags)'}`,
    );
  }
  return { tag, digest };
}

function moveLatest(
  action: ReleaseAction,
  snapshot: TagSnapshot,
  target: { tag: string; digest: string },
): ReleasePlan {
  const current = snapshot.get(LATEST);
  if (current === target.digest) {
    return { action, steps: [], summary: `latest already names ${target.tag} (${target.digest}); nothing to do` };
  }
  return {
    action,
    steps: [{ kind: 'tag', tag: LATEST, digest: target.digest, previous: current }],
    summary: `latest → ${target.tag} (${target.digest})${current ? `, was ${current}` : ''}`,
  };
}

export function planCreate(
  snapshot: TagSnapshot,
  repo: string,
  version: string,
  from = LATEST,
  force = false,
): ReleasePlan {
  const tag = versionTag(version);
  let digest: string;
  if (from.startsWith('sha256:')) {
    if (!DIGEST.test(from)) throw new ReleaseError(`invalid --from digest "${from}"`);
    digest = from;
  } else {
    assertTag(from);
    const found = snapshot.get(from);
    if (!found) throw new ReleaseError(`--from tag "${from}" does not exist in ${repo}`);
    digest = found;
  }
  const existing = snapshot.get(tag);
  if (existing === digest)
    return { action: 'create', steps: [], summary: `${tag} already names ${digest}; nothing to do` };
  if (existing && !force) {
    throw new ReleaseError(
      `${tag} already exists in ${repo} and names ${existing}, not ${digest}; versions are immutable (pass --force to move it)`,
    );
  }
  return {
    action: 'create',
    steps: [{ kind: 'tag', tag, digest, previous: existing }],
    summary: `${tag} → ${digest} (from ${from})`,
  };
}

export function planPromote(snapshot: TagSnapshot, repo: string, version: string): ReleasePlan {
  return moveLatest('promote', snapshot, requireVersion(snapshot, version, repo));
}

/**
 * rollback v1.2.0: latest → v1.2.0. rollback: latest → the highest release below the version latest
 * names now (prereleases are skipped, and so is any version naming the same digest as latest).
 */
export function planRollback(snapshot: TagSnapshot, repo: string, version?: string): ReleasePlan {
  if (version) return moveLatest('rollback', snapshot, requireVersion(snapshot, version, repo));
  const latest = snapshot.get(LATEST);
  if (!latest) throw new ReleaseError(`${repo} has no latest tag; pass the version to roll back to (rollback v1.2.0)`);
  const versions = versionTags(snapshot);
  const current = versions.find((v) => v.digest === latest);
  if (!current) {
    throw new ReleaseError(
      `latest (${latest}) in ${repo} is not named by any version tag, so there is no "previous" version; pass the version to roll back to`,
    );
  }
  const below = versions.find(
    (v) => v.digest !== latest && !prerelease(v.semver) && semverCompare(v.semver, current.semver) < 0,
  );
  if (!below) throw new ReleaseError(`no release below ${current.tag} in ${repo} to roll back to`);
  return moveLatest('rollback', snapshot, below);
}

/**
 * delete v1.2.0 removes the manifest by digest. Other tags naming the digest go with it, so it refuses
 * while latest or another version still names it (unless force); the build's own sha and phase-sha
 * tags are expected companions and are listed, not a reason to refuse.
 */
export function planDelete(snapshot: TagSnapshot, repo: string, version: string, force = false): ReleasePlan {
  const target = requireVersion(snapshot, version, repo);
  const others = tagsNaming(snapshot, target.digest).filter((t) => t !== target.tag);
  const blocking = others.filter((t) => !isBuildIdentityTag(t));
  if (blocking.length && !force) {
    throw new ReleaseError(
      `refusing to delete ${target.tag} (${target.digest}) from ${repo}: it is still named by ${blocking.join(', ')}; ` +
        `${blocking.includes(LATEST) ? 'promote or roll back latest first, or ' : ''}pass --force to delete them all`,
    );
  }
  return {
    action: 'delete',
    steps: [{ kind: 'delete', digest: target.digest, tags: [target.tag, ...others] }],
    summary: `delete ${target.digest} (tags: ${[target.tag, ...others].join(', ')})`,
  };
}

export interface VersionRow {
  tag: string;
  digest: string;
  latest: boolean;
  /** Other tags naming the same digest. */
  alsoTagged: string[];
}

export function listVersions(snapshot: TagSnapshot): VersionRow[] {
  const latest = snapshot.get(LATEST);
  return versionTags(snapshot).map((v) => ({
    tag: v.tag,
    digest: v.digest,
    latest: v.digest === latest,
    alsoTagged: tagsNaming(snapshot, v.digest).filter((t) => t !== v.tag),
  }));
}
