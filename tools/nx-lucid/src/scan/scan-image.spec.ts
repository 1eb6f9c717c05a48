import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, readArtifact } from '../artifacts/artifacts';
import type { runProcess } from '../boundary/process';
import { ScanDeps, scanImage } from './scan-image';
import { memoryPuller, SCAN_REF, scanOptions, TRIVY_FIXTURES } from './test-support';

const SBOM_FIXTURE = 'fluentd-multiple-lockfiles-short.cdx.json';

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
      const sbom = args[args.indexOf('--format') + 1] === 'cyclonedx';
      copyFileSync(join(TRIVY_FIXTURES, sbom ? SBOM_FIXTURE : report), args[args.indexOf('--output') + 1]);
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
    // The report run and the SBOM run.
    expect(calls.filter((a) => a[0] === 'image')).toHaveLength(2);
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
    // The report run and the SBOM run, printed.
    expect(info.filter((l) => l.startsWith('trivy image')).map((l) => l.split(' --format ')[1].split(' ')[0])).toEqual([
      'json',
      'cyclonedx',
    ]);
  });

  it("writes one CycloneDX SBOM of the index, each platform named, from Trivy's output per platform", async () => {
    const options = scanOptions({ platforms: ['linux/amd64', 'linux/arm64'] });
    await scanImage({ workspaceRoot: ws, project: 'api', options }, deps('engine-ci-alpine-no-vulns.json'));
    const sboms = calls.filter((a) => a[0] === 'image' && a.includes('cyclonedx'));
    expect(sboms).toHaveLength(2);
    // No --scanners: Trivy then runs no security scanner for an SBOM format (and opens no vulnerability DB).
    for (const a of sboms) expect(a).not.toContain('--scanners');
    const sbom = readArtifact(join(ws, 'dist/containers/api'), ARTIFACTS.sbom)!;
    const image = SCAN_REF.split('@')[0];
    expect(sbom.metadata.component).toMatchObject({ type: 'container', name: image, version: SCAN_REF.split('@')[1] });
    const platforms = sbom.dependencies[0].dependsOn!.map(
      (ref) =>
        sbom.components.find((c) => c['bom-ref'] === ref)!.properties!.find((p) => p.name === 'lucid:platform')!.value,
    );
    expect(platforms).toEqual(['linux/amd64', 'linux/arm64']);
    // Trivy's 4 components per platform, purls as Trivy wrote them, bom-refs unique.
    const packages = sbom.components.filter((c) => c.purl && !c.purl.startsWith('pkg:oci/'));
    expect(packages.map((c) => c.purl)).toContain('pkg:deb/debian/bash@5.0-4?distro=debian-10.2');
    expect(packages).toHaveLength(6);
    const refs = sbom.components.map((c) => c['bom-ref']);
    expect(new Set(refs).size).toBe(refs.length);
    expect(sbom).not.toHaveProperty('vulnerabilities');
  });

  it('a Trivy whose --format cyclonedx output is not CycloneDX fails the scan, naming the file', async () => {
    const d = deps('debian-buster.json');
    d.run = (async (_c: string, args: string[]) => {
      calls.push(args);
      if (args[0] === 'version') return { exitCode: 0, stdout: JSON.stringify({ Version: '0.58.0' }), stderr: '' };
      copyFileSync(join(TRIVY_FIXTURES, 'debian-buster.json'), args[args.indexOf('--output') + 1]);
      return { exitCode: 0, stdout: '', stderr: '' };
    }) as unknown as ScanDeps['run'];
    await expect(scanImage({ workspaceRoot: ws, project: 'api', options: scanOptions() }, d)).rejects.toThrow(
      /linux-amd64\.cdx\.json\): Trivy's output is not a CycloneDX SBOM \(it is a Trivy JSON report\): bomFormat is null/,
    );
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
    expect(calls.filter((a) => a[0] === 'image')).toHaveLength(4);
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
