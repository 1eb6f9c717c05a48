/**
 * What each release step changes, tag by tag, with the digest before and after: checked against version
 * immutability before anything is written, printed (also on --dry-run) and kept as audit lines. Pure.
 */
import type { ReleaseChange } from '../artifacts/release-record';
import { assertNoImmutableMoves, planTagMoves } from '../image/tag-moves';
import { semverOfTag } from '../image/tags';
import type { ReleaseAction, ReleaseStep, TagSnapshot } from './plan';

export interface TagChange {
  tag: string;
  /** undefined: the tag is new. */
  before?: string;
  /** undefined: the tag goes (delete). */
  after?: string;
  forced: boolean;
}

/**
 * The tag changes of one step. A tag step that would move a version tag to another digest throws
 * ImmutableTagError (naming both digests) unless forced; latest and other floating tags move freely.
 */
export function stepChanges(step: ReleaseStep, snapshot: TagSnapshot, image: string, force: boolean): TagChange[] {
  if (step.kind === 'delete') {
    return step.tags.map((tag) => ({ tag, before: snapshot.get(tag) ?? step.digest, after: undefined, forced: force }));
  }
  const moves = planTagMoves(
    [{ tag: step.tag, immutable: semverOfTag(step.tag) !== undefined }],
    snapshot,
    step.digest,
  );
  assertNoImmutableMoves(moves, image, force);
  return moves.changes.map((m) => ({
    tag: m.tag,
    before: m.before,
    after: m.after,
    forced: m.immutable && m.before !== undefined,
  }));
}

/** `image:tag: before → after` for the log and dry-run. */
export function describeChange(image: string, c: TagChange): string {
  return `${image}:${c.tag}: ${c.before ?? '(new)'} → ${c.after ?? '(deleted)'}${c.forced ? ' (--force; old digest ' + c.before + ')' : ''}`;
}

/** The audit lines of the changes made by one action. */
export function auditLines(
  action: Exclude<ReleaseAction, 'list' | 'prune' | 'usage'>,
  image: string,
  changes: TagChange[],
  at: Date,
): ReleaseChange[] {
  return changes.map((c) => ({
    at: at.toISOString(),
    action,
    image,
    tag: c.tag,
    before: c.before ?? null,
    after: c.after ?? null,
    forced: c.forced,
  }));
}
