import { listVersions, planCreate, planDelete, planPromote, planRollback, resolveReleaseArgs } from './plan';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const sha = 'c'.repeat(40);
const repo = 'reg/x/svc';
// v1.0.0=a, v1.1.0=b, v1.2.0=c (latest, with its sha tags), v1.3.0-rc.1=e, v0.9.0=a (same image as 1.0.0)
const snapshot = new Map([
  ['v0.9.0', d('a')],
  ['v1.0.0', d('a')],
  ['v1.1.0', d('b')],
  ['v1.2.0', d('c')],
  ['v1.3.0-rc.1', d('e')],
  [sha, d('c')],
  [`phase1-${sha}`, d('c')],
  ['latest', d('c')],
]);

describe('resolveReleaseArgs', () => {
  it('takes named options or positionals', () => {
    expect(resolveReleaseArgs({ action: 'promote', version: 'v1.2.0' })).toEqual({
      action: 'promote',
      version: 'v1.2.0',
    });
    expect(resolveReleaseArgs({ _: ['promote', 'v1.2.0'] })).toEqual({ action: 'promote', version: 'v1.2.0' });
    expect(resolveReleaseArgs({ action: 'rollback', _: ['1.1.0'] })).toEqual({ action: 'rollback', version: '1.1.0' });
    expect(resolveReleaseArgs({ _: ['list'] })).toEqual({ action: 'list' });
  });
  it('refuses unknown, missing and extra arguments', () => {
    expect(() => resolveReleaseArgs({})).toThrow(/missing action/);
    expect(() => resolveReleaseArgs({ _: ['publish'] })).toThrow(/unknown action "publish"/);
    expect(() => resolveReleaseArgs({ _: ['promote'] })).toThrow(/promote needs a version/);
    expect(() => resolveReleaseArgs({ _: ['promote', 'v1', 'v2'] })).toThrow(/unexpected extra/);
  });
});

describe('promote', () => {
  it('moves latest to the version digest', () => {
    const plan = planPromote(snapshot, repo, '1.1.0');
    expect(plan.steps).toEqual([{ kind: 'tag', tag: 'latest', digest: d('b'), previous: d('c') }]);
  });
  it('does nothing when latest already names it', () => {
    expect(planPromote(snapshot, repo, 'v1.2.0').steps).toEqual([]);
  });
  it('refuses a version that does not exist, listing those that do', () => {
    expect(() => planPromote(snapshot, repo, 'v9.9.9')).toThrow(
      /v9.9.9 does not exist in reg\/x\/svc \(versions: v1.3.0-rc.1, v1.2.0/,
    );
    expect(() => planPromote(snapshot, repo, 'nine')).toThrow(/invalid version/);
  });
});

describe('rollback', () => {
  it('without a version goes to the highest release below the current one', () => {
    expect(planRollback(snapshot, repo).steps).toEqual([
      { kind: 'tag', tag: 'latest', digest: d('b'), previous: d('c') },
    ]);
  });
  it('skips versions naming the same image as latest', () => {
    const s = new Map(snapshot).set('latest', d('b')).set('v1.1.1', d('b'));
    // latest names 1.1.1 (highest naming b); below it 1.1.0 is the same image, so 1.0.0
    expect(planRollback(s, repo).steps[0]).toMatchObject({ digest: d('a') });
  });
  it('with a version goes there, and fails clearly when there is nothing below', () => {
    expect(planRollback(snapshot, repo, 'v1.0.0').steps[0]).toMatchObject({ digest: d('a') });
    const s = new Map(snapshot).set('latest', d('a'));
    expect(() => planRollback(s, repo)).toThrow(/no release below v1.0.0/);
    expect(() => planRollback(new Map([['v1.0.0', d('a')]]), repo)).toThrow(/has no latest tag/);
    expect(() => planRollback(new Map([['latest', d('f')]]), repo)).toThrow(/not named by any version tag/);
  });
});

describe('create', () => {
  it('tags latest (or --from) with the version', () => {
    expect(planCreate(snapshot, repo, '2.0.0').steps).toEqual([
      { kind: 'tag', tag: 'v2.0.0', digest: d('c'), previous: undefined },
    ]);
    expect(planCreate(snapshot, repo, '2.0.0', 'v1.1.0').steps[0]).toMatchObject({ digest: d('b') });
    expect(planCreate(snapshot, repo, '2.0.0', d('f')).steps[0]).toMatchObject({ digest: d('f') });
  });
  it('is idempotent and refuses to move an existing version without force', () => {
    expect(planCreate(snapshot, repo, 'v1.2.0').steps).toEqual([]);
    expect(() => planCreate(snapshot, repo, 'v1.1.0')).toThrow(/already exists .* immutable/);
    expect(planCreate(snapshot, repo, 'v1.1.0', 'latest', true).steps[0]).toMatchObject({
      digest: d('c'),
      previous: d('b'),
    });
    expect(() => planCreate(snapshot, repo, 'v3.0.0', 'nope')).toThrow(/--from tag "nope" does not exist/);
  });
});

describe('delete', () => {
  it('refuses while latest or another version names the digest', () => {
    expect(() => planDelete(snapshot, repo, 'v1.2.0')).toThrow(
      /still named by latest; promote or roll back latest first/,
    );
    expect(() => planDelete(snapshot, repo, 'v1.0.0')).toThrow(/still named by v0.9.0/);
  });
  it('deletes by digest, carrying the sha tags along, or everything with force', () => {
    expect(planDelete(snapshot, repo, 'v1.1.0').steps).toEqual([{ kind: 'delete', digest: d('b'), tags: ['v1.1.0'] }]);
    expect(planDelete(snapshot, repo, 'v1.2.0', true).steps[0]).toMatchObject({
      tags: ['v1.2.0', sha, 'latest', `phase1-${sha}`],
    });
  });
});

describe('listVersions', () => {
  it('lists versions newest first, marking latest', () => {
    const rows = listVersions(snapshot);
    expect(rows.map((r) => r.tag)).toEqual(['v1.3.0-rc.1', 'v1.2.0', 'v1.1.0', 'v1.0.0', 'v0.9.0']);
    expect(rows.find((r) => r.tag === 'v1.2.0')).toMatchObject({
      latest: true,
      alsoTagged: [sha, 'latest', `phase1-${sha}`],
    });
  });
});

describe('prune and usage arguments', () => {
  it('take no version', () => {
    expect(resolveReleaseArgs({ _: ['prune'] })).toEqual({ action: 'prune', version: undefined, from: undefined });
    expect(resolveReleaseArgs({ action: 'usage' }).action).toBe('usage');
    expect(() => resolveReleaseArgs({ _: ['prune', 'v1.0.0'] })).toThrow('prune takes no version (got "v1.0.0")');
  });
});
