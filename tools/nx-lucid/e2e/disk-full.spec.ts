/**
 * A registry whose disk fills up mid-push, then is freed: a rerun repairs. A real docker-registry stores its data on
 * a small tmpfs (root: mount -t tmpfs). An image is pushed whole; the disk is filled; more pushes to the same
 * repository fail (the error names what failed and what the registry said); the disk is freed; rerunning every push
 * leaves every tag whole, checked by copying each tag with skopeo (every blob fetched and its digest checked).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../src/boundary/process';
import { runPush } from '../src/nx/executors/push/executor';
import { makeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';
import { executorContext, skopeoTags } from './support/registry-check';

const KiB = 1024;
const env = { GITHUB_SHA: undefined, GITHUB_REF_NAME: undefined, GHCR_TOKEN: undefined, GITHUB_TOKEN: undefined };
const isRoot = process.getuid?.() === 0;

/** Fills the filesystem at dir with one file until it is full (ENOSPC), returning the file. */
function fill(dir: string): string {
  const file = join(dir, 'filler');
  const chunk = Buffer.alloc(64 * KiB, 1);
  const fd = openSync(file, 'w');
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  return file;
}

(isRoot ? describe : describe.skip)('a registry whose disk filled up: a rerun repairs every tag', () => {
  let mnt: string;
  let reg: TestRegistry;
  beforeAll(async () => {
    mnt = mkdtempSync(join(tmpdir(), 'lucid-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mnt]);
    reg = await startRegistry({ dataDir: mnt });
  });
  afterAll(async () => {
    await reg?.stop().catch(() => undefined);
    try {
      execFileSync('umount', [mnt]);
    } catch {
      /* not mounted */
    }
    rmSync(mnt, { recursive: true, force: true });
  });

  it('pushes fail while full, naming what failed; after freeing, reruns leave every tag whole', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lucid-disk-full-'));
    const projects = ['disk-a', 'disk-b', 'disk-c'];
    const shared = randomBytes(64 * KiB);
    const made = Object.fromEntries(
      projects.map((p) => [
        p,
        makeLayout({ project: p, root, platforms: ['linux/amd64'], layerBytes: 128 * KiB, sharedLayer: shared }),
      ]),
    );
    const push = (project: string, sha: string) =>
      runPush(
        { outputPath: made[project].outputPath, registry: reg.host, repository: 'hamigames/lucid', sha, retries: 1 },
        executorContext(root, project, { siblings: projects.filter((p) => p !== project) }),
        { env, log: () => undefined },
      );
    await push('disk-a', '1'.repeat(40));

    const filler = fill(mnt);
    // While full: disk-a under a new commit (tags only), disk-b and disk-c (the shared layer mounted from disk-a).
    const pending: Array<[string, string]> = [
      ['disk-a', '2'.repeat(40)],
      ['disk-b', '1'.repeat(40)],
      ['disk-c', '1'.repeat(40)],
    ];
    const failures: string[] = [];
    for (const [p, sha] of pending) await push(p, sha).catch((e: Error) => failures.push(e.message));
    expect(failures).toHaveLength(3);
    // Each failure names what it was writing (a blob or tag and its digest) and what the registry said.
    for (const f of failures)
      expect(f).toMatch(/sha256:[0-9a-f]{64}[^\n]* failed: HTTP 5\d\d UNKNOWN: unknown error \(.*"Err":28/);

    rmSync(filler);
    for (const [p, sha] of [['disk-a', '1'.repeat(40)], ...pending]) await push(p, sha);

    const broken: string[] = [];
    for (const p of projects) {
      const tags = await skopeoTags(reg.host, `hamigames/lucid/${p}`);
      expect(tags.length).toBeGreaterThan(0);
      for (const tag of tags) {
        const dest = mkdtempSync(join(tmpdir(), 'lucid-disk-copy-'));
        const ref = `docker://${reg.host}/hamigames/lucid/${p}:${tag}`;
        const r = await runProcess('skopeo', ['copy', '--all', '--src-tls-verify=false', ref, `oci:${dest}:x`], {
          allowFailure: true,
        });
        if (r.exitCode !== 0) broken.push(`${p}:${tag}: ${r.stderr.trim().split('\n').pop()}`);
        rmSync(dest, { recursive: true, force: true });
      }
    }
    expect(broken).toEqual([]);
    rmSync(root, { recursive: true, force: true });
  });
});
