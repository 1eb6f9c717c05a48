import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UploadState } from './upload-state';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('UploadState', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lucid-state-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps an upload session per registry and digest, and forgets it when dropped', () => {
    const a = new UploadState(dir, '127.0.0.1:5000');
    const b = new UploadState(dir, 'ghcr.io');
    a.saveSession({
      repository: 'x/y',
      digest: DIGEST,
      location: 'http://127.0.0.1:5000/v2/x/y/blobs/uploads/u?_state=s',
      offset: 33554432,
    });
    expect(a.session(DIGEST)).toEqual({
      schemaVersion: 1,
      repository: 'x/y',
      digest: DIGEST,
      location: 'http://127.0.0.1:5000/v2/x/y/blobs/uploads/u?_state=s',
      offset: 33554432,
    });
    expect(b.session(DIGEST)).toBeUndefined();
    a.dropSession(DIGEST);
    expect(a.session(DIGEST)).toBeUndefined();
  });

  it('treats a half-written or foreign session file as none', () => {
    const a = new UploadState(dir, '127.0.0.1:5000');
    a.saveSession({ repository: 'x/y', digest: DIGEST, location: 'http://h/u', offset: 1 });
    const file = join(dir, 'registry', '127.0.0.1_5000', 'sessions', `${'ab'.repeat(32)}.json`);
    writeFileSync(file, '{"schemaVersion":1,"repos');
    expect(a.session(DIGEST)).toBeUndefined();
    writeFileSync(
      file,
      JSON.stringify({ schemaVersion: 2, repository: 'x/y', digest: DIGEST, location: 'http://h/u', offset: 1 }),
    );
    expect(a.session(DIGEST)).toBeUndefined();
  });

  it('gives a blob lock to one holder; a lock left by a dead process is taken over', () => {
    const a = new UploadState(dir, '127.0.0.1:5000');
    expect(a.tryLock(DIGEST, 'x/one')).toBe(true);
    expect(a.tryLock(DIGEST, 'x/two')).toBe(false);
    expect(a.holder(DIGEST)).toMatchObject({ pid: process.pid, repository: 'x/one' });
    a.unlock(DIGEST);
    expect(a.holder(DIGEST)).toBeUndefined();
    const lockDir = join(dir, 'registry', '127.0.0.1_5000', 'locks');
    // pid 2^22+1 is above Linux's pid_max default: no such process.
    writeFileSync(
      join(lockDir, `${'ab'.repeat(32)}.json`),
      JSON.stringify({ schemaVersion: 1, pid: 4194305, repository: 'x/dead', startedAtMs: 0 }),
    );
    expect(a.tryLock(DIGEST, 'x/three')).toBe(true);
    expect(a.holder(DIGEST)?.repository).toBe('x/three');
    expect(readdirSync(lockDir)).toHaveLength(1);
  });

  it('is one lock across separate processes (parallel Nx tasks)', async () => {
    const release = join(dir, 'release');
    const child = (repo: string) =>
      new Promise<{ line: Promise<string>; exit: Promise<number | null> }>((resolve) => {
        const p = spawn(
          process.execPath,
          ['-r', '@swc-node/register', join(__dirname, 'testing', 'lock-child.ts'), dir, DIGEST, repo, release],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        let out = '';
        const line = new Promise<string>((r) =>
          p.stdout.on('data', (d) => (out += d) && out.includes('\n') && r(out.trim())),
        );
        resolve({ line, exit: new Promise((r) => p.on('exit', r)) });
      });
    const children = await Promise.all(['x/a', 'x/b', 'x/c', 'x/d'].map(child));
    const lines = await Promise.all(children.map((c) => c.line));
    writeFileSync(release, '');
    await Promise.all(children.map((c) => c.exit));
    expect(lines.filter((l) => l === 'got')).toHaveLength(1);
    expect(lines.filter((l) => l === 'busy')).toHaveLength(3);
    expect(new UploadState(dir, '127.0.0.1:5000').holder(DIGEST)).toBeUndefined();
  });
});
