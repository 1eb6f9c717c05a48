import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { STALE_MS, TagLocks } from './tag-lock';

describe('TagLocks', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lucid-tag-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const holder = (pid: number, startedAtMs = Date.now()) =>
    JSON.stringify({ schemaVersion: 1, pid, repository: 'r', tag: 'v1.0.0', startedAtMs, id: 'other' });

  it('serialises holders: the second waits until the first releases', async () => {
    const locks = new TagLocks(dir, '127.0.0.1:5000');
    const order: string[] = [];
    const first = await locks.acquire('r', 'v1.0.0');
    const second = locks.acquire('r', 'v1.0.0').then((release) => (order.push('second'), release));
    await new Promise((r) => setTimeout(r, 120));
    order.push('first releases');
    first();
    (await second)();
    expect(order).toEqual(['first releases', 'second']);
    expect(existsSync(locks.file('r', 'v1.0.0'))).toBe(false);
  });

  it('breaks a lock whose holder died, and one older than STALE_MS', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    for (const content of [holder(dead), holder(process.pid, Date.now() - STALE_MS - 1)]) {
      const locks = new TagLocks(dir, 'reg');
      const file = locks.file('r', 'v1.0.0');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      const release = await locks.acquire('r', 'v1.0.0');
      expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid);
      release();
    }
  });

  it('gives up on a live holder after maxWaitMs, naming the holder and the lock file', async () => {
    const locks = new TagLocks(dir, 'reg', { maxWaitMs: 100 });
    const file = locks.file('r', 'v1.0.0');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, holder(process.pid));
    await expect(locks.acquire('r', 'v1.0.0')).rejects.toThrow(
      `version tag r:v1.0.0 is being written by process ${process.pid} (lock ${file})`,
    );
  });
});
