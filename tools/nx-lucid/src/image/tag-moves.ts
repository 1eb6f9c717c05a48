/**
 * What applying tags to a digest would change, decided before the registry is written: an immutable
 * (version) tag that already names another digest refuses the whole push unless forced. Pure.
 */
export interface TagMove {
  tag: string;
  /** Digest the tag names now; undefined when the tag is new. */
  before?: string;
  after: string;
  immutable: boolean;
}

export interface TagMovePlan {
  /** Tags that are new or move (before !== after). */
  changes: TagMove[];
  /** Tags already on the target digest. */
  unchanged: string[];
  /** Immutable tags that would move: non-empty means refuse (unless forced). */
  refused: TagMove[];
}

export function planTagMoves(
  tags: ReadonlyArray<{ tag: string; immutable: boolean }>,
  current: ReadonlyMap<string, string | undefined>,
  digest: string,
): TagMovePlan {
  const changes: TagMove[] = [];
  const unchanged: string[] = [];
  const refused: TagMove[] = [];
  for (const { tag, immutable } of tags) {
    const before = current.get(tag);
    if (before === digest) {
      unchanged.push(tag);
      continue;
    }
    const move: TagMove = { tag, before, after: digest, immutable };
    changes.push(move);
    if (immutable && before !== undefined) refused.push(move);
  }
  return { changes, unchanged, refused };
}

export class ImmutableTagError extends Error {
  constructor(
    readonly refused: TagMove[],
    image: string,
  ) {
    super(
      refused
        .map(
          (m) =>
            `${image}:${m.tag} already names ${m.before}; refusing to move it to ${m.after} (version tags are immutable; --force moves it)`,
        )
        .join('\n'),
    );
    this.name = 'ImmutableTagError';
  }
}

/** Throws ImmutableTagError when an immutable tag would move and force is off. */
export function assertNoImmutableMoves(plan: TagMovePlan, image: string, force: boolean): void {
  if (plan.refused.length && !force) throw new ImmutableTagError(plan.refused, image);
}

/** `tag: before → after` lines for the log and the audit record. */
export function describeMoves(plan: TagMovePlan): string[] {
  return plan.changes.map(
    (m) => `${m.tag}: ${m.before ?? '(new)'} → ${m.after}${m.immutable && m.before ? ' (forced)' : ''}`,
  );
}
