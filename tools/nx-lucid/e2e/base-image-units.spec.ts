/* Pure parts of the distroless stand-in and the main job's report (tools/base-image, tools/main-job). */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { debianMirrorFrom, debFileName } from '../../base-image/apt';
import { packLayer } from '../../base-image/layer';
import { elfMachine, parseControlStanzas, parseDependsField, unsatisfiedDependencies } from '../../base-image/packages';
import { registryConfigYaml } from '../../main-job/registry';
import {
  checkCatalog,
  formatTable,
  NxTaskResult,
  pushReportSchema,
  serviceRow,
  totals,
  totalsLine,
} from '../../main-job/summary';

describe('elfMachine', () => {
  it('reads x86-64 (62) from this machine’s node binary and aarch64 (183) from a crafted header', () => {
    const node = readFileSync(process.execPath).subarray(0, 64);
    expect(elfMachine(node)).toBe(process.arch === 'x64' ? 62 : 183);
    const arm = Buffer.alloc(64);
    arm.writeUInt32BE(0x7f454c46, 0);
    arm[5] = 1;
    arm.writeUInt16LE(183, 18);
    expect(elfMachine(arm)).toBe(183);
    expect(elfMachine(Buffer.from('#!/bin/sh\necho not elf\n'))).toBeUndefined();
  });
});

describe('Debian control parsing', () => {
  it('splits Depends into alternatives without versions or arch qualifiers', () => {
    expect(parseDependsField('libc6 (>= 2.34), media-types | mime-support, python3:any (>= 3.9)')).toEqual([
      ['libc6'],
      ['media-types', 'mime-support'],
      ['python3'],
    ]);
  });

  it('reports dependencies missing from the package set but not excluded ones', () => {
    const gaps = unsatisfiedDependencies([
      {
        name: 'python3.11',
        version: '1',
        architecture: 'amd64',
        depends: ['libc6 (>= 2.34), libnew1, dpkg (>= 1.13)'],
      },
      { name: 'libc6', version: '1', architecture: 'amd64', depends: [] },
    ]);
    expect(gaps).toEqual(['python3.11 -> libnew1']);
  });

  it('parses stanzas with continuation lines', () => {
    const [a, b] = parseControlStanzas('Package: a\nVersion: 1:2.0\nDescription: x\n more\n\nPackage: b\nVersion: 3\n');
    expect(a).toMatchObject({ Package: 'a', Version: '1:2.0', Description: 'x\n more' });
    expect(b.Package).toBe('b');
    expect(debFileName({ name: 'zlib1g', version: '1:1.2.13.dfsg-1', architecture: 'arm64' })).toBe(
      'zlib1g_1%3a1.2.13.dfsg-1_arm64.deb',
    );
  });

  it('takes the Debian mirror from deb822 or one-line sources', () => {
    expect(
      debianMirrorFrom('Types: deb\nURIs: http://mirror.corp/debian\n\nURIs: http://mirror.corp/debian-security\n'),
    ).toEqual({
      debian: 'http://mirror.corp/debian',
      security: 'http://mirror.corp/debian-security',
    });
    expect(debianMirrorFrom('deb [arch=amd64] http://m.example/debian/ bookworm main\n').debian).toBe(
      'http://m.example/debian',
    );
    expect(debianMirrorFrom('').debian).toBe('http://deb.debian.org/debian');
  });
});

describe('packLayer', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lucid-layer-'));
    mkdirSync(join(dir, 'usr/bin'), { recursive: true });
    writeFileSync(join(dir, 'usr/bin/b'), 'bee');
    writeFileSync(join(dir, 'usr/bin/a'), 'ay');
    linkSync(join(dir, 'usr/bin/a'), join(dir, 'usr/bin/a-hard'));
    symlinkSync('a', join(dir, 'usr/bin/a-link'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is deterministic, sorted, keeps links, and its diffId is the digest of the uncompressed tar', async () => {
    const one = await packLayer(dir);
    const two = await packLayer(dir);
    expect(one.data.equals(two.data)).toBe(true);
    const tar = gunzipSync(one.data);
    expect(one.diffId).toBe(`sha256:${createHash('sha256').update(tar).digest('hex')}`);
    const names: string[] = [];
    for (let off = 0; off + 512 <= tar.length;) {
      const name = tar
        .subarray(off, off + 100)
        .toString('utf8')
        .replace(/\0.*$/s, '');
      if (!name) break;
      const size = parseInt(
        tar
          .subarray(off + 124, off + 136)
          .toString('utf8')
          .replace(/\0.*$/s, '')
          .trim() || '0',
        8,
      );
      names.push(`${name}:${String.fromCharCode(tar[off + 156])}`);
      off += 512 + Math.ceil(size / 512) * 512;
    }
    expect(names).toEqual([
      'usr/:5',
      'usr/bin/:5',
      'usr/bin/a:0',
      'usr/bin/a-hard:1',
      'usr/bin/a-link:2',
      'usr/bin/b:0',
    ]);
    expect(one.entries).toBe(6);
  });
});

describe('main job report', () => {
  const targets = { build: 'container-build', scan: 'scan', push: 'container-push', verify: 'container-verify' };
  const task = (
    projectName: string,
    target: string,
    status = 0,
    cacheStatus: NxTaskResult['cacheStatus'] = 'cache-miss',
  ): NxTaskResult => ({
    taskId: `${projectName}:${target}`,
    target,
    projectName,
    status,
    cacheStatus,
  });

  it('marks a cache-restored build, the skipped scan, and the upload', () => {
    const row = serviceRow({
      service: { name: 'redis', phase: 1 },
      push: { tags: ['latest', 'abc1234'], uploadedBytes: 0 },
      tasks: [
        task('redis', 'container-build', 0, 'local-cache-hit'),
        task('redis', 'container-push'),
        task('redis', 'container-verify'),
      ],
      scan: { kind: 'skipped', reason: 'no trivy' },
      targets,
    });
    expect(row).toMatchObject({
      cache: 'cache hit',
      scan: 'skipped',
      verify: 'passed',
      uploaded: '0 B',
      tags: 'latest,abc1234',
      ok: true,
    });
    const failed = serviceRow({
      service: { name: 'x', phase: 2 },
      tasks: [task('x', 'container-build', 1)],
      scan: { kind: 'ran' },
      targets,
    });
    expect(failed).toMatchObject({ cache: 'FAILED', tags: 'not pushed', ok: false });
    expect(formatTable([row, failed]).split('\n')[0]).toMatch(/^service\s+phase\s+index digest/);
  });

  it('keeps what each service really did when a later run fails its build as a dependency (the registry died)', () => {
    // The main job's runs: build,scan,push (push fails: the registry is gone), then verify, whose dependency
    // build re-runs and fails too (its base digest can no longer be read).
    const asked = (r: NxTaskResult, requested: string[]) => ({ ...r, requested });
    const first = [targets.build, targets.scan, targets.push];
    const tasks = ['a', 'b'].flatMap((s) => [
      asked(task(s, 'container-build'), first),
      asked(task(s, 'scan'), first),
      asked(task(s, 'container-push', 1), first),
      asked(task(s, 'container-build', 1), [targets.verify]),
    ]);
    const rows = ['a', 'b'].map((s) =>
      serviceRow({ service: { name: s, phase: 1 }, tasks, scan: { kind: 'ran' }, targets }),
    );
    expect(rows[0]).toMatchObject({
      cache: 'built',
      scan: 'passed',
      tags: 'push FAILED',
      verify: 'not run',
      ok: false,
    });
    const line = totalsLine(totals(rows, [undefined, undefined]));
    expect(line).toMatch(
      /^0\/2 services built, pushed and verified \(steps passed: build 2, scan 2, push 0, verify 0\)/,
    );

    // A rerun that repairs: the last run asked for a target decides, the run that built names how.
    const rerun = [
      ...tasks,
      ...['a', 'b'].flatMap((s) => [
        asked(task(s, 'container-build', 0, 'local-cache-hit'), first),
        asked(task(s, 'scan', 0, 'local-cache-hit'), first),
        asked(task(s, 'container-push'), first),
        asked(task(s, 'container-verify'), [targets.verify]),
      ]),
    ];
    const repaired = serviceRow({ service: { name: 'a', phase: 1 }, tasks: rerun, scan: { kind: 'ran' }, targets });
    expect(repaired).toMatchObject({ cache: 'built', tags: '?', verify: 'passed', ok: true });
  });

  it('reads push.json as container-push writes it and prints its blob counts (uploaded / mounted / already present)', () => {
    // The record exactly as the push executor writes it (blob counts nested under blobs).
    const written = {
      schemaVersion: 1,
      project: 'redis',
      image: '127.0.0.1:5055/hamigames/lucid/redis',
      digest: `sha256:${'c'.repeat(64)}`,
      platforms: ['linux/amd64', 'linux/arm64'],
      tags: ['latest', 'abc1234'],
      uploadedBytes: 4096,
      blobs: {
        total: 9,
        uploaded: 3,
        uploadedBytes: 4096,
        mounted: 1,
        mountedBytes: 100,
        skipped: 5,
        skippedBytes: 5000,
      },
      manifestsPut: 3,
      retries: 0,
    };
    const push = pushReportSchema.parse(JSON.parse(JSON.stringify(written)));
    const tasks = [
      task('redis', 'container-build'),
      task('redis', 'container-push'),
      task('redis', 'container-verify'),
    ];
    const row = serviceRow({
      service: { name: 'redis', phase: 1 },
      push,
      tasks,
      scan: { kind: 'skipped', reason: 'no trivy' },
      targets,
    });
    expect(row).toMatchObject({ uploaded: '4.0 KiB', blobs: '3 up, 1 mounted, 5 present' });
    expect(formatTable([row]).split('\n')[0]).toMatch(/\bblobs\b/);
    const sum = totals([row], [push]);
    expect(sum).toMatchObject({ uploadedBytes: 4096, uploadedBlobs: 3, mountedBlobs: 1, presentBlobs: 5 });
    expect(totalsLine(sum)).toContain(
      'uploaded 4.0 KiB in 3 blobs; 1 blob mounted from sibling repositories, 5 already present',
    );
  });

  it('checks the catalog for latest, <sha> and phase<N>-<sha>', () => {
    const sha = 'a'.repeat(7) + 'b'.repeat(33);
    const services = [
      { name: 'good', phase: 1 },
      { name: 'notag', phase: 2 },
      { name: 'absent', phase: 3 },
    ];
    const problems = checkCatalog(
      services,
      'hamigames/lucid',
      ['hamigames/lucid/good', 'hamigames/lucid/notag'],
      {
        'hamigames/lucid/good': ['latest', sha, `phase1-${sha}`],
        'hamigames/lucid/notag': ['latest', 'aaaaaaa', 'phase1-aaaaaaa'],
      },
      sha,
      true,
    );
    expect(problems).toEqual([
      'hamigames/lucid/notag: missing tag phase2-<sha> (has latest, aaaaaaa, phase1-aaaaaaa)',
      'hamigames/lucid/absent: not in the catalog',
    ]);
  });

  it('writes a registry config with delete enabled on 127.0.0.1 only', () => {
    const yaml = registryConfigYaml('/data/x', 5055);
    expect(yaml).toContain('addr: 127.0.0.1:5055');
    expect(yaml).toContain('delete: { enabled: true }');
  });
});
