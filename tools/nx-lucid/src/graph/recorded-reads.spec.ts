import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkObservations, recordingReader } from './recorded-reads';
import type { Observation } from './recorded-reads';
import { roundFiles, WorkspaceFiles } from './workspace-files';

/**
 * Stat before read: a file read with a settled stamp (size, inode, mtime, ctime) is not read again while its stamp
 * is the same; a changed file is read and caught; a file changed too recently to trust its stamp gets none.
 */
let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lucid-recorded-reads-'));
  writeFileSync(join(root, 'Dockerfile'), 'FROM scratch\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A reader over `inner` that counts reads. */
function counting(inner: WorkspaceFiles) {
  const counted = { reads: 0, files: { ...inner } as WorkspaceFiles };
  counted.files.read = (p) => {
    counted.reads++;
    return inner.read(p);
  };
  return counted;
}

const recorded = (settleMs: number) => {
  const recording = recordingReader(roundFiles(root, [], settleMs));
  recording.files.read('Dockerfile');
  return recording.observations;
};

describe('stat before read', () => {
  it('records a settled stamp and trusts it: no read while the file is unchanged', () => {
    const observations = recorded(0);
    expect(observations[0]).toHaveLength(4);
    const reader = counting(roundFiles(root, [], 0));
    expect(checkObservations(reader.files, observations)).toEqual({ holds: true });
    expect(reader.reads).toBe(0);
  });

  it('reads and catches a changed file whose stamp differs', () => {
    const observations = recorded(0);
    writeFileSync(join(root, 'Dockerfile'), 'FROM scratch AS changed\n');
    const reader = counting(roundFiles(root, [], 0));
    expect(checkObservations(reader.files, observations).holds).toBe(false);
    expect(reader.reads).toBe(1);
  });

  it('records no stamp for a file changed within the settle time, and checks it by its content', () => {
    const observations = recorded(60_000);
    expect(observations[0]).toHaveLength(3);
    const reader = counting(roundFiles(root, [], 60_000));
    expect(checkObservations(reader.files, observations)).toEqual({ holds: true });
    expect(reader.reads).toBe(1);
  });

  it('a file read without a stamp and now settled gets one (to store), after its content matched', () => {
    const observations = recorded(60_000);
    const check = checkObservations(roundFiles(root, [], 0), observations);
    expect(check.holds).toBe(true);
    expect(check.restamped?.[0]).toEqual([...observations[0], expect.any(String)]);
  });

  it('a stamp is a shortcut, never the only answer: a reader without stamps compares content', () => {
    const observations: Observation[] = recorded(0);
    const plain = counting({ exists: () => true, read: (p) => roundFiles(root).read(p) });
    expect(checkObservations(plain.files, observations).holds).toBe(true);
    expect(plain.reads).toBe(1);
  });
});
