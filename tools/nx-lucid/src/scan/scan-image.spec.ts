import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, readArtifact } from '../artifacts/artifacts';
import type { runProcess } from '../boundary/process';
import { ScanDeps, scanImage } from './scan-image';
import { memoryPuller, SCAN_REF, scanOptions, TRIVY_FIXTURES } from './test-support';

describe('scanImage (the scan use case)', () => {
  let ws: string;
  let calls: string[][];
  let info: string[];
  let errors: string[];
  /** A stand-in Trivy: `image` copies a recorded report to --output, `version` answers JSON. */
  const deps = (report: string, env: NodeJS.ProcessEnv = {}, onPath = true, version = '0.58.0'): ScanDeps => ({
    env,
    pull: memoryPuller,
    which: () => (onPath ? '/usr/bin/trivy' : undefined),
    log: (l) => info.push(l),
    logError: (l) => errors.push(l),
    run: (async (_command: string, args: string[]) => {
      calls.push(args);
      if (args[0] === 'version') return { exitCode: 0, stdout: JSON.stringify({ Version: version }), stderr: '' };
      copyFileSync(join(TRIVY_FIXTURES, report), args[args.indexOf('--output') + 1]);
      return { exitCode: 0, stdout: '', stderr: '' };
    }) as unknown as typeof runProcess,
  });

  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'scan-uc-'));
    calls = [];
    info = [];
    errors = [];
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('fails the gate on a CVSS ≥ 7 finding and writes gate.json, which reads back through its schema', async () => {
    expect(
      await scanImage({ workspaceRoot: ws, project: 'api', options: scanOptions() }, deps('debian-buster.json')),
    ).toBe(false);
    const outcome = readArtifact(join(ws, 'dist/containers/api'), ARTIFACTS.gate);
    expect(outcome).toMatchObject({
      project: 'api',
      passed: false,
      target: { kind: 'image-ref', ref: SCAN_REF },
      platforms: ['linux/amd64'],
      sarif: 'built-in',
    });
    expect(calls.filter((a) => a[0] === 'image')).toHaveLength(1);
    expect(errors.some((l) => l.startsWith('✗ '))).toBe(true);
  });

  it('passes a report without vulnerabilities', async () => {
    expect(
      await scanImage(
        { workspaceRoot: ws, project: 'api', options: scanOptions() },
        deps('engine-ci-alpine-no-vulns.json'),
      ),
    ).toBe(true);
    expect(readArtifact(join(ws, 'dist/containers/api'), ARTIFACTS.gate)?.passed).toBe(true);
  });

  it('--dry-run runs and writes nothing', async () => {
    expect(
      await scanImage(
        { workspaceRoot: ws, project: 'api', options: scanOptions({ dryRun: true }) },
        deps('debian-buster.json'),
      ),
    ).toBe(true);
    expect(calls).toEqual([]);
    expect(existsSync(join(ws, 'dist'))).toBe(false);
    expect(info.filter((l) => l.startsWith('trivy image'))).toHaveLength(1);
  });

  it.each([
    ['0.69.4', /Trivy 0\.69\.4 is a compromised release/],
    ['v0.69.5', /compromised release/],
    ['0.36.3', /Trivy 0\.36\.3 is older than the oldest supported release 0\.37\.0/],
  ])('Trivy %s is refused before anything is scanned', async (version, message) => {
    await expect(
      scanImage(
        { workspaceRoot: ws, project: 'api', options: scanOptions() },
        deps('debian-buster.json', {}, true, version),
      ),
    ).rejects.toThrow(message);
    expect(calls.map((a) => a[0])).toEqual(['version']);
  });

  it('the oldest supported Trivy and a development build run', async () => {
    for (const version of ['0.37.0', 'dev']) {
      await scanImage(
        { workspaceRoot: ws, project: 'api', options: scanOptions() },
        deps('debian-buster.json', {}, true, version),
      );
    }
    expect(calls.filter((a) => a[0] === 'image')).toHaveLength(2);
  });

  it('Trivy runs in an empty private dir with an empty config and ignore file, every severity', async () => {
    let seen: { cwd?: string; files?: string[]; config?: string } = {};
    const d = deps('debian-buster.json');
    const run = d.run;
    d.run = (async (command: string, args: string[], opts: { cwd?: string }) => {
      if (args[0] === 'image')
        seen = {
          cwd: opts.cwd,
          files: readdirSync(opts.cwd!),
          config: readFileSync(args[args.indexOf('--config') + 1], 'utf8'),
        };
      return (run as unknown as (...a: unknown[]) => unknown)(command, args, opts);
    }) as unknown as ScanDeps['run'];
    await scanImage({ workspaceRoot: ws, project: 'api', options: scanOptions() }, d);
    expect(seen.cwd).not.toBe(ws);
    expect(seen.files).toEqual([]);
    expect(seen.config).not.toMatch(/^[a-z]/m);
    const image = calls.find((a) => a[0] === 'image')!;
    expect(image[image.indexOf('--severity') + 1]).toBe('UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL');
    expect(image[image.indexOf('--scanners') + 1]).toBe('vuln,secret');
  });

  it('without trivy on PATH nothing is scanned and the scan fails', async () => {
    await expect(
      scanImage({ workspaceRoot: ws, project: 'api', options: scanOptions() }, deps('debian-buster.json', {}, false)),
    ).rejects.toThrow(/trivy is not installed/);
    expect(calls).toEqual([]);
  });

  it('LUCID_TRIVY_DB_DIR set but empty is an error naming it', async () => {
    await expect(
      scanImage(
        { workspaceRoot: ws, project: 'api', options: scanOptions() },
        deps('debian-buster.json', { LUCID_TRIVY_DB_DIR: '' }),
      ),
    ).rejects.toThrow(/LUCID_TRIVY_DB_DIR is set but empty/);
  });
});
