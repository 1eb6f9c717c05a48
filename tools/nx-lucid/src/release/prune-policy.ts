/**
 * Which tags a retention policy keeps, each with its reason. Pure. Kept: semver tags (v1.2.3, 1.2, v1), `latest`,
 * the configured branch tags, the sha tags of the N most recently created images, and any tag whose image is younger
 * than keepDays (or whose age is unknown). The referrers tags (OCI's `sha256-<hex>`, cosign's `….sig`) are not decided here:
 * they stay exactly while the manifest they name does (prune-plan.ts).
 */
import { valid as semverValid } from 'semver';
import type { RetentionOptions } from '../config/options';
import { LATEST } from '../image/tags';
import { fallbackSubject } from './prune-graph';

export interface TagDecision {
  tag: string;
  digest: string;
  keep: boolean;
  reason: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** v1.2.3, 1.2.3-rc.1, 1.2, v1 (what metadata-action's semver/pep440 patterns make). */
export function isSemverTag(tag: string): boolean {
  const bare = tag.replace(/^v/, '');
  if (semverValid(bare) === bare) return true;
  // Major or major.minor alone (metadata-action's {{major}}, {{major}}.{{minor}}); a long number is a commit id.
  return /^(0|[1-9]\d{0,5})(\.(0|[1-9]\d{0,5}))?$/.test(bare);
}

/** <sha>, phase<N>-<sha>, sha-<short>: a hex commit id of 7–40 characters at the end, alone or after a dash. */
export function isShaTag(tag: string): boolean {
  return /(^|-)[0-9a-f]{7,40}$/.test(tag);
}

function matchesPattern(tag: string, pattern: string): boolean {
  if (!pattern.includes('*')) return tag === pattern;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(tag);
}

function ageDays(created: string | undefined, now: Date): number | undefined {
  const t = created ? Date.parse(created) : NaN;
  return Number.isNaN(t) ? undefined : (now.getTime() - t) / DAY_MS;
}

const days = (d: number) => `${d.toFixed(1)} days`;

/**
 * The sha-tagged images, newest first (by created, then digest for a stable order): the first keepShaTags are kept.
 * An image of unknown age sorts first (it is kept anyway).
 */
function newestShaImages(tags: ReadonlyMap<string, string>, created: (digest: string) => string | undefined): string[] {
  const digests = [...new Set([...tags].filter(([t]) => isShaTag(t)).map(([, d]) => d))];
  const time = (d: string) => {
    const t = Date.parse(created(d) ?? '');
    return Number.isNaN(t) ? Infinity : t;
  };
  return digests.sort((a, b) => time(b) - time(a) || a.localeCompare(b));
}

/** One decision per tag except the referrers fallback tags. */
export function decideTags(
  tags: ReadonlyMap<string, string>,
  created: (digest: string) => string | undefined,
  policy: RetentionOptions,
  now: Date,
): TagDecision[] {
  const shaRank = new Map(newestShaImages(tags, created).map((d, i) => [d, i]));
  const out: TagDecision[] = [];
  for (const [tag, digest] of [...tags].sort(([a], [b]) => a.localeCompare(b))) {
    if (fallbackSubject(tag)) continue;
    const age = ageDays(created(digest), now);
    const keep = (reason: string) => out.push({ tag, digest, keep: true, reason });
    const drop = (reason: string) => out.push({ tag, digest, keep: false, reason });
    if (tag === LATEST) keep('latest');
    else if (isSemverTag(tag)) keep('semver tag');
    else if (policy.branchTags.some((p) => matchesPattern(tag, p))) keep('branch tag (retention.branchTags)');
    else if (age === undefined) keep('image age unknown (no created time in its index or config)');
    else if (age < policy.keepDays) keep(`created ${days(age)} ago (< keepDays ${policy.keepDays})`);
    else if (isShaTag(tag) && shaRank.get(digest)! < policy.keepShaTags)
      keep(`sha tag of image #${shaRank.get(digest)! + 1} by age (keepShaTags ${policy.keepShaTags})`);
    else if (isShaTag(tag))
      drop(
        `sha tag of image #${shaRank.get(digest)! + 1} by age (keepShaTags ${policy.keepShaTags}), created ${days(age)} ago (keepDays ${policy.keepDays})`,
      );
    else drop(`not semver, latest or a branch tag; created ${days(age)} ago (keepDays ${policy.keepDays})`);
  }
  return out;
}
