import { releaseRecordSchema } from '../artifacts/release-record';
import { ImmutableTagError } from '../image/tag-moves';
import { auditLines, describeChange, stepChanges } from './audit';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const IMAGE = 'registry.test/lucid/api';
const snapshot = new Map([
  ['v1.0.0', D1],
  ['latest', D1],
  ['1'.repeat(40), D1],
]);

describe('release audit: tag changes of a step', () => {
  it('moving latest is normal: before → after, not forced', () => {
    const changes = stepChanges({ kind: 'tag', tag: 'latest', digest: D2 }, snapshot, IMAGE, false);
    expect(changes).toEqual([{ tag: 'latest', before: D1, after: D2, forced: false }]);
    expect(describeChange(IMAGE, changes[0])).toBe(`${IMAGE}:latest: ${D1} → ${D2}`);
  });

  it('a new version tag is a change from (new); a tag already on the digest is no change', () => {
    expect(stepChanges({ kind: 'tag', tag: 'v2.0.0', digest: D2 }, snapshot, IMAGE, false)).toEqual([
      { tag: 'v2.0.0', before: undefined, after: D2, forced: false },
    ]);
    expect(stepChanges({ kind: 'tag', tag: 'v1.0.0', digest: D1 }, snapshot, IMAGE, false)).toEqual([]);
  });

  it('moving a version tag refuses, naming the tag and both digests; --force moves it and says the old digest', () => {
    const step = { kind: 'tag' as const, tag: 'v1.0.0', digest: D2 };
    expect(() => stepChanges(step, snapshot, IMAGE, false)).toThrow(ImmutableTagError);
    expect(() => stepChanges(step, snapshot, IMAGE, false)).toThrow(
      `${IMAGE}:v1.0.0 already names ${D1}; refusing to move it to ${D2}`,
    );
    const [forced] = stepChanges(step, snapshot, IMAGE, true);
    expect(forced).toEqual({ tag: 'v1.0.0', before: D1, after: D2, forced: true });
    expect(describeChange(IMAGE, forced)).toContain(`(--force; old digest ${D1})`);
  });

  it('a delete removes every tag of the digest; the audit lines match the release record schema', () => {
    const tags = ['v1.0.0', 'latest', '1'.repeat(40)];
    const changes = stepChanges({ kind: 'delete', digest: D1, tags }, snapshot, IMAGE, true);
    expect(changes.map((c) => [c.tag, c.before, c.after])).toEqual(tags.map((t) => [t, D1, undefined]));
    const lines = auditLines('delete', IMAGE, changes, new Date('2026-12-02T12:00:00Z'));
    expect(lines[0]).toEqual({
      at: '2026-12-02T12:00:00.000Z',
      action: 'delete',
      image: IMAGE,
      tag: 'v1.0.0',
      before: D1,
      after: null,
      forced: true,
    });
    expect(releaseRecordSchema.safeParse({ schemaVersion: 1, project: 'api', changes: lines }).success).toBe(true);
    expect(
      releaseRecordSchema.safeParse({ schemaVersion: 1, project: 'api', changes: [{ ...lines[0], before: 'x' }] })
        .success,
    ).toBe(false);
  });
});
