/**
 * Process wiring of the scan executor: the real executor runs a stand-in `trivy` placed first on PATH
 * (support/fake-trivy/trivy) that records its arguments and replays real Trivy reports from
 * src/scan/__fixtures__/trivy (SOURCES.md there). Everything after the process boundary is the real code.
 */
import type { ExecutorContext } from '@nx/devkit';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../src/boundary/process';
import scanExecutor from '../src/nx/executors/scan/executor';
import { buildMetadataSchema } from '../src/artifacts/metadata';
import { ARTIFACTS, readArtifact } from '../src/artifacts/artifacts';
import { FAKE_TRIVY_SBOM } from './support/fake-trivy-bin';
import { MediaType } from '../src/oci/media-types';
import { scanOutcomeSchema } from '../src/scan/summary';
import { sarifValidator, TRIVY_FIXTURES } from '../src/scan/test-support';
import { writePlatformLayoutView } from '../src/scan/trivy-command';
import { makeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';

const PROJECT = 'auth-service';
const OUT = `dist/containers/${PROJECT}`;
const ORIGINAL_ENV = { ...process.env };

let ws: string;
let bin: string;
/** A PATH with no trivy on it. */
let emptyDir: string;
let argvLog: string;
let logs: string[];
let errors: string[];

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A real two-platform OCI layout (index.json → image index → one manifest per platform) and its metadata.json. */
function writeBuild(root: string): {
  indexDigest: string;
  manifestDigests: string[];
  configDigests: string[];
  layerDigests: string[];
} {
  const oci = join(root, OUT, 'oci');
  mkdirSync(join(oci, 'blobs', 'sha256'), { recursive: true });
  const put = (content: string) => {
    const d = sha(content);
    writeFileSync(join(oci, 'blobs', 'sha256', d.slice(7)), content);
    return { digest: d, size: Buffer.byteLength(content) };
  };
  const manifests = (['amd64', 'arm64'] as const).map((architecture) => {
    const layer = put(`layer-${architecture}`);
    const config = put(
      JSON.stringify({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } }),
    );
    const manifest = put(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
      }),
    );
    return { architecture, manifest, config, layer };
  });
  const index = put(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: manifests.map((m) => ({
        mediaType: MediaType.ociManifest,
        ...m.manifest,
        platform: { architecture: m.architecture, os: 'linux' },
      })),
    }),
  );
  writeFileSync(join(oci, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(oci, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaType.ociIndex, ...index }] }),
  );
  const metadata = buildMetadataSchema.parse({
    schemaVersion: 1,
    project: PROJECT,
    phase: 1,
    image: `ghcr.io/hamigames/lucid/${PROJECT}`,
    version: '1.0.0',
    gitSha: null,
    layout: 'oci',
    index: { digest: index.digest, mediaType: MediaType.ociIndex, size: index.size },
    manifests: manifests.map((m) => ({
      platform: { architecture: m.architecture, os: 'linux' },
      digest: m.manifest.digest,
      mediaType: MediaType.ociManifest,
      size: m.manifest.size,
      configDigest: m.config.digest,
      compressedSize: m.layer.size,
    })),
    compressedSize: manifests.reduce((n, m) => n + m.layer.size + m.config.size, 0),
    labels: {},
    annotations: {},
    base: null,
    engine: { name: 'buildah', version: '1.28.0' },
  });
  writeFileSync(join(root, OUT, 'metadata.json'), JSON.stringify(metadata, null, 2));
  return {
    indexDigest: index.digest,
    manifestDigests: manifests.map((m) => m.manifest.digest),
    configDigests: manifests.map((m) => m.config.digest),
    layerDigests: manifests.map((m) => m.layer.digest),
  };
}

/**
 * scan/sbom.cdx.json names the index and, under it, each platform's image as the stand-in Trivy described the view
 * it was given (its ImageID is that platform's config, its DiffID that platform's layer), with the replayed packages.
 */
function expectSbomOfBuild(platforms: string[]) {
  const sbom = readArtifact(join(ws, OUT), ARTIFACTS.sbom)!;
  const image = `ghcr.io/hamigames/lucid/${PROJECT}`;
  expect(sbom.metadata.component).toMatchObject({ 'bom-ref': `${image}@${build.indexDigest}`, name: image });
  expect(sbom.metadata.component.purl).toBe(
    `pkg:oci/${PROJECT}@${encodeURIComponent(build.indexDigest)}?repository_url=${encodeURIComponent(image)}`,
  );
  const [rootEdge] = sbom.dependencies;
  expect(rootEdge.dependsOn).toHaveLength(platforms.length);
  for (const platform of platforms) {
    const i = platform === 'linux/amd64' ? 0 : 1;
    const ref = `${image}@${build.manifestDigests[i]}`;
    expect(rootEdge.dependsOn).toContain(ref);
    const component = sbom.components.find((c) => c['bom-ref'] === ref)!;
    expect(component.properties).toEqual(
      expect.arrayContaining([
        { name: 'aquasecurity:trivy:ImageID', value: build.configDigests[i] },
        { name: 'aquasecurity:trivy:DiffID', value: build.layerDigests[i] },
        { name: 'lucid:platform', value: platform },
      ]),
    );
    const mine = sbom.components.filter((c) => c['bom-ref']!.startsWith(`${platform}|`));
    expect(mine.map((c) => c.purl).filter(Boolean)).toEqual([
      'pkg:deb/debian/bash@5.0-4?distro=debian-10.2',
      'pkg:deb/debian/libidn2-0@2.0.5-1?distro=debian-10.2',
      'pkg:gem/activesupport@6.0.2.1',
    ]);
  }
  // No --scanners: no vulnerabilities in the SBOM (they are in report.json).
  expect(sbom).not.toHaveProperty('vulnerabilities');
}

const context = (): ExecutorContext =>
  ({
    root: ws,
    cwd: ws,
    projectName: PROJECT,
    isVerbose: false,
    projectsConfigurations: { version: 2, projects: {} },
    nxJsonConfiguration: {},
    projectGraph: { nodes: {}, dependencies: {} },
  }) as unknown as ExecutorContext;

const baseOptions = {
  outputPath: OUT,
  registry: 'ghcr.io',
  repository: 'hamigames/lucid',
  platforms: ['linux/amd64', 'linux/arm64'],
};
const calls = () =>
  existsSync(argvLog)
    ? readFileSync(argvLog, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { argv: string[]; cwd: string })
    : [];
const scanFile = (name: string) => join(ws, OUT, 'scan', name);
const flagValue = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];

let build: ReturnType<typeof writeBuild>;

/** The stand-in's settings, written to fake-trivy.json beside it on every change (Trivy's env is explicit). */
let fakeSettings: Record<string, string> = {};
const fake = new Proxy(fakeSettings, {
  get: (_, k: string) => fakeSettings[k],
  set: (_, k: string, v: string) => {
    fakeSettings[k] = v;
    writeFileSync(join(bin, 'fake-trivy.json'), JSON.stringify(fakeSettings));
    return true;
  },
}) as Record<string, string>;

beforeAll(() => {
  bin = mkdtempSync(join(tmpdir(), 'fake-trivy-bin-'));
  emptyDir = mkdtempSync(join(tmpdir(), 'empty-path-'));
  copyFileSync(join(__dirname, 'support', 'fake-trivy', 'trivy'), join(bin, 'trivy'));
  require('node:fs').chmodSync(join(bin, 'trivy'), 0o755);
});
afterAll(() => {
  rmSync(bin, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
});

beforeEach(() => {
  ws = mkdtempSync(join(tmpdir(), 'scan-ws-'));
  build = writeBuild(ws);
  argvLog = join(ws, 'argv.jsonl');
  process.env = { ...ORIGINAL_ENV, PATH: `${bin}:${ORIGINAL_ENV.PATH}` };
  fakeSettings = {};
  fake.FAKE_TRIVY_ARGV_LOG = argvLog;
  fake.FAKE_TRIVY_REQUIRE_FROM = join(__dirname, 'support', 'fake-trivy', 'trivy');
  fake.FAKE_TRIVY_SBOM = FAKE_TRIVY_SBOM;
  delete process.env.GITHUB_STEP_SUMMARY;
  delete process.env.LUCID_TRIVY_DB_DIR;
  logs = [];
  errors = [];
  jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
  jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
});
afterEach(() => {
  jest.restoreAllMocks();
  process.env = { ...ORIGINAL_ENV };
  rmSync(ws, { recursive: true, force: true });
});

describe('scan executor with a stand-in trivy', () => {
  it('debian-buster on both platforms: gate fails on bash by CVSS, every output written, reasons printed', async () => {
    fake.FAKE_TRIVY_REPORT = join(TRIVY_FIXTURES, 'debian-buster.json');
    const stepSummary = join(ws, 'step-summary.md');
    writeFileSync(stepSummary, '# earlier step\n');
    process.env.GITHUB_STEP_SUMMARY = stepSummary;

    const result = await scanExecutor(baseOptions, context());
    expect(result.success).toBe(false);

    // The recorded argv: version, one image scan per platform on a one-manifest layout view, convert.
    const recorded = calls();
    expect(recorded.map((c) => `${c.argv[0]} ${c.argv[0] === 'image' ? flagValue(c.argv, '--format') : ''}`)).toEqual([
      'version ',
      'image json',
      'image cyclonedx',
      'image json',
      'image cyclonedx',
      'convert ',
    ]);
    const scans = recorded.filter((c) => c.argv[0] === 'image' && flagValue(c.argv, '--format') === 'json');
    const sbomRuns = recorded.filter((c) => c.argv[0] === 'image' && flagValue(c.argv, '--format') === 'cyclonedx');
    for (const [i, { argv }] of scans.entries()) {
      expect(argv).toEqual([
        'image',
        '--input',
        expect.any(String),
        '--format',
        'json',
        '--output',
        expect.any(String),
        '--cache-dir',
        join(ws, '.lucid', 'trivy-cache', PROJECT),
        '--quiet',
        '--config',
        expect.stringMatching(/trivy-config\.yaml$/),
        '--ignorefile',
        expect.stringMatching(/trivy-no-ignores$/),
        '--severity',
        'UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL',
        '--scanners',
        'vuln,secret',
      ]);
      expect(flagValue(argv, '--input')).toMatch(i === 0 ? /linux-amd64$/ : /linux-arm64$/);
      expect(argv).not.toContain('--skip-db-update');
    }
    // The SBOM of each platform: the same view and cache, Trivy's CycloneDX writer, no --scanners (Trivy then runs
    // no security scanner and opens no vulnerability DB for an SBOM format).
    for (const [i, { argv }] of sbomRuns.entries()) {
      expect(argv).toEqual([
        'image',
        '--input',
        flagValue(scans[i].argv, '--input'),
        '--format',
        'cyclonedx',
        '--output',
        expect.stringMatching(/\.cdx\.json$/),
        '--cache-dir',
        join(ws, '.lucid', 'trivy-cache', PROJECT),
        '--quiet',
        '--config',
        flagValue(scans[i].argv, '--config'),
      ]);
    }
    // The views are temporary; they must be gone afterwards.
    expect(existsSync(flagValue(scans[0].argv, '--input'))).toBe(false);
    expect(recorded[5].argv).toEqual([
      'convert',
      '--config',
      flagValue(scans[0].argv, '--config'),
      '--format',
      'sarif',
      '--output',
      scanFile('report.sarif'),
      '--ignorefile',
      flagValue(scans[0].argv, '--ignorefile'),
      scanFile('report.json'),
    ]);

    // Outputs.
    expect(readdirSync(join(ws, OUT, 'scan')).sort()).toEqual([
      'gate.json',
      'report.json',
      'report.sarif',
      'sbom.cdx.json',
      'summary.md',
      'trivy',
    ]);
    expectSbomOfBuild(['linux/amd64', 'linux/arm64']);
    expect(readdirSync(scanFile('trivy')).sort()).toEqual(['linux-amd64.json', 'linux-arm64.json']);
    expect(readFileSync(scanFile('trivy/linux-arm64.json'), 'utf8')).toBe(readFileSync(fake.FAKE_TRIVY_REPORT, 'utf8'));
    const report = JSON.parse(readFileSync(scanFile('report.json'), 'utf8'));
    expect(report.Results.map((r: { Target: string }) => r.Target.replace(/.*\[/, '['))).toEqual([
      '[linux/amd64]',
      '[linux/arm64]',
    ]);

    const outcome = scanOutcomeSchema.parse(JSON.parse(readFileSync(scanFile('gate.json'), 'utf8')));
    expect(outcome).toMatchObject({
      passed: false,
      platforms: ['linux/amd64', 'linux/arm64'],
      trivyVersion: '0.58.0-stand-in',
      sarif: 'built-in',
    });
    expect(outcome.target).toEqual({
      kind: 'oci-layout',
      ref: `ghcr.io/hamigames/lucid/${PROJECT}:1.0.0`,
      digest: build.indexDigest,
    });
    // The same finding on two platforms counts once.
    expect(outcome.failing.map((f) => f.id)).toEqual(['CVE-2019-18224', 'CVE-2019-18276']);

    const validate = sarifValidator();
    expect(validate(JSON.parse(readFileSync(scanFile('report.sarif'), 'utf8')))).toBe(true);

    const md = readFileSync(scanFile('summary.md'), 'utf8');
    expect(readFileSync(stepSummary, 'utf8')).toBe(`# earlier step\n${md}\n`);
    expect(errors).toContain(
      '✗ CVE-2019-18276 in bash 5.0-4 → no fix: CVSS v3 7.8 (nvd), severity LOW — fails: CVSS 7.8 ≥ 7.0',
    );
    expect(errors.some((l) => l.startsWith('gate FAILED: 2 finding(s)'))).toBe(true);
    expect(logs.some((l) => l.includes('trivy convert --format sarif failed'))).toBe(true);
  });

  it('one platform, ignoreUnfixed and an ignore file in force: passes; report.json is Trivy bytes; convert gets the ignore file', async () => {
    fake.FAKE_TRIVY_REPORT = join(TRIVY_FIXTURES, 'debian-buster.json');
    fake.FAKE_TRIVY_CONVERT = `copy:${join(TRIVY_FIXTURES, 'alpine-310.sarif')}`;
    writeFileSync(join(ws, '.trivyignore'), '# risk accepted\nCVE-2019-18224 exp:2999-01-01\n');
    const result = await scanExecutor(
      {
        ...baseOptions,
        platform: 'linux/arm64',
        gate: {
          enabled: true,
          cvssThreshold: 7,
          severity: 'CRITICAL',
          ignoreUnfixed: true,
          ignoreFile: '.trivyignore',
        },
      },
      context(),
    );
    expect(errors).toEqual([]);
    expect(result.success).toBe(true);
    const recorded = calls();
    // One platform: its report run and its SBOM run.
    expect(recorded.filter((c) => c.argv[0] === 'image').map((c) => flagValue(c.argv, '--format'))).toEqual([
      'json',
      'cyclonedx',
    ]);
    expectSbomOfBuild(['linux/arm64']);
    const convert = recorded.find((c) => c.argv[0] === 'convert')!;
    expect(flagValue(convert.argv, '--ignorefile')).toBe(join(ws, '.trivyignore'));
    // Trivy's private, empty working dir: the workspace's .trivyignore is not its default ignore file.
    expect(convert.cwd).toMatch(/trivy-cwd$/);
    expect(convert.cwd.startsWith(ws)).toBe(false);
    expect(readFileSync(scanFile('report.json'), 'utf8')).toBe(readFileSync(fake.FAKE_TRIVY_REPORT, 'utf8'));
    expect(readFileSync(scanFile('report.sarif'), 'utf8')).toBe(
      readFileSync(join(TRIVY_FIXTURES, 'alpine-310.sarif'), 'utf8'),
    );
    const outcome = scanOutcomeSchema.parse(JSON.parse(readFileSync(scanFile('gate.json'), 'utf8')));
    expect(outcome).toMatchObject({ passed: true, sarif: 'trivy convert', platforms: ['linux/arm64'] });
    expect(outcome.ignored.map((i) => [i.id, i.by])).toEqual([
      ['CVE-2019-18276', 'unfixed'],
      ['CVE-2019-18224', 'ignore-file'],
    ]);
  });

  it('an expired ignore entry no longer ignores, and says so', async () => {
    fake.FAKE_TRIVY_REPORT = join(TRIVY_FIXTURES, 'debian-buster.json');
    writeFileSync(join(ws, '.trivyignore'), 'CVE-2019-18224 exp:2020-01-01\n');
    const result = await scanExecutor(
      {
        ...baseOptions,
        platform: 'linux/amd64',
        gate: {
          enabled: true,
          cvssThreshold: 7,
          severity: 'CRITICAL',
          ignoreUnfixed: true,
          ignoreFile: '.trivyignore',
        },
      },
      context(),
    );
    expect(result.success).toBe(false);
    expect(errors[0]).toBe(
      'ignore entry CVE-2019-18224 (line 1) expired on 2020-01-01: it no longer ignores this finding',
    );
  });

  it('engine-ci (no vulnerabilities) passes', async () => {
    fake.FAKE_TRIVY_REPORT = join(TRIVY_FIXTURES, 'engine-ci-alpine-no-vulns.json');
    expect((await scanExecutor(baseOptions, context())).success).toBe(true);
    expect(logs.some((l) => l.startsWith('gate passed'))).toBe(true);
  });

  it('a shared, already downloaded DB is linked read-only and not updated', async () => {
    fake.FAKE_TRIVY_REPORT = join(TRIVY_FIXTURES, 'engine-ci-alpine-no-vulns.json');
    const shared = join(ws, 'trivy-db');
    mkdirSync(join(shared, 'db'), { recursive: true });
    process.env.LUCID_TRIVY_DB_DIR = shared;
    expect((await scanExecutor({ ...baseOptions, platform: 'linux/amd64' }, context())).success).toBe(true);
    const scan = calls().find((c) => c.argv[0] === 'image')!;
    expect(scan.argv.slice(-2)).toEqual(['--skip-db-update', '--skip-java-db-update']);
    expect(lstatSync(join(ws, '.lucid', 'trivy-cache', PROJECT, 'db')).isSymbolicLink()).toBe(true);
  });

  it('--image-ref to a registry that does not answer: our client fails to pull over HTTPS, Trivy never runs, no verdict', async () => {
    fake.FAKE_TRIVY_REPORT = join(TRIVY_FIXTURES, 'engine-ci-alpine-no-vulns.json');
    const ref = `registry.invalid:5000/lucid/${PROJECT}@${build.indexDigest}`;
    expect((await scanExecutor({ ...baseOptions, imageRef: ref }, context())).success).toBe(false);
    expect(calls().filter((c) => c.argv[0] === 'image')).toEqual([]);
    expect(errors.join('\n')).toMatch(/registry\.invalid/);
    expect(existsSync(scanFile('gate.json'))).toBe(false);
  });

  it('--dry-run prints the trivy commands and runs and writes nothing', async () => {
    const result = await scanExecutor({ ...baseOptions, dryRun: true }, context());
    expect(result.success).toBe(true);
    expect(calls()).toEqual([]);
    expect(existsSync(join(ws, OUT, 'scan'))).toBe(false);
    const commands = logs.filter((l) => l.startsWith('trivy '));
    expect(commands).toHaveLength(5);
    expect(commands[0]).toMatch(
      /^trivy image --input \S+linux-amd64 --format json --output \S+ --cache-dir \S+ --quiet --config \S+ --ignorefile \S+ --severity UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL --scanners vuln,secret$/,
    );
    expect(commands[1]).toMatch(
      /^trivy image --input \S+linux-amd64 --format cyclonedx --output \S+linux-amd64\.cdx\.json --cache-dir \S+ --quiet --config \S+$/,
    );
    expect(commands[4]).toMatch(/^trivy convert --config \S+ --format sarif/);
    expect(logs).toContainEqual(expect.stringMatching(/would write \S+\/scan\/\{.*sbom\.cdx\.json\}/));
    expect(logs).toContainEqual(
      expect.stringMatching(/^would run Trivy in the empty dir \S+trivy-cwd with an empty --config/),
    );
  });

  describe('failure modes never pass', () => {
    const expectFailure = async (pattern: RegExp, options: object = baseOptions) => {
      const result = await scanExecutor(options, context());
      expect(result.success).toBe(false);
      expect(errors.join('\n')).toMatch(pattern);
      expect(existsSync(scanFile('gate.json'))).toBe(false);
    };

    it('truncated report JSON', async () => {
      fake.FAKE_TRIVY_REPORT = join(TRIVY_FIXTURES, 'juice-shop-debian12.json');
      fake.FAKE_TRIVY_MODE = 'truncate';
      await expectFailure(/Trivy report for .* \(linux\/amd64\) is not valid JSON \(truncated or malformed\)/);
    });

    it('an unknown SchemaVersion', async () => {
      const raw = JSON.parse(readFileSync(join(TRIVY_FIXTURES, 'engine-ci-alpine-no-vulns.json'), 'utf8'));
      const v3 = join(ws, 'v3.json');
      writeFileSync(v3, JSON.stringify({ ...raw, SchemaVersion: 3 }));
      fake.FAKE_TRIVY_REPORT = v3;
      await expectFailure(/SchemaVersion 3; only Trivy JSON schema version 2 is understood/);
    });

    it('trivy exits 1 with an error on stderr', async () => {
      fake.FAKE_TRIVY_MODE = 'fail';
      await expectFailure(
        /trivy image --input .* failed \(exit 1\):\n.*FATAL\timage scan error: .*failed to download vulnerability DB/,
      );
    });

    it("Trivy's --format cyclonedx output is not CycloneDX", async () => {
      fake.FAKE_TRIVY_REPORT = join(TRIVY_FIXTURES, 'engine-ci-alpine-no-vulns.json');
      fake.FAKE_TRIVY_SBOM = join(TRIVY_FIXTURES, 'engine-ci-alpine-no-vulns.json');
      await expectFailure(
        /trivy --format cyclonedx output for linux\/amd64 \(.*linux-amd64\.cdx\.json\): Trivy's output is not a CycloneDX SBOM \(it is a Trivy JSON report\)/,
      );
      expect(existsSync(scanFile('sbom.cdx.json'))).toBe(false);
    });

    it('trivy exits 0 but writes no report', async () => {
      fake.FAKE_TRIVY_MODE = 'no-output';
      await expectFailure(/trivy exited 0 but wrote no report/);
    });

    it('trivy is not on PATH: a clear install hint', async () => {
      process.env.PATH = emptyDir;
      await expectFailure(
        /trivy is not installed \(not on PATH\): install Trivy \(https:\/\/trivy\.dev.*the gate cannot pass without a scan/,
      );
    });

    it('a configured ignore file that is missing', async () => {
      fake.FAKE_TRIVY_REPORT = join(TRIVY_FIXTURES, 'engine-ci-alpine-no-vulns.json');
      await expectFailure(/ignore file \.trivyignore \(gate\.ignoreFile\) not found/, {
        ...baseOptions,
        gate: {
          enabled: true,
          cvssThreshold: 7,
          severity: 'CRITICAL',
          ignoreUnfixed: false,
          ignoreFile: '.trivyignore',
        },
      });
      expect(calls().filter((c) => c.argv[0] === 'image')).toEqual([]);
    });

    it('a failed rescan removes the earlier passing outputs', async () => {
      fake.FAKE_TRIVY_REPORT = join(TRIVY_FIXTURES, 'engine-ci-alpine-no-vulns.json');
      expect((await scanExecutor(baseOptions, context())).success).toBe(true);
      expect(existsSync(scanFile('gate.json'))).toBe(true);
      fake.FAKE_TRIVY_MODE = 'fail';
      await expectFailure(/failed \(exit 1\)/);
      expect(existsSync(scanFile('report.json'))).toBe(false);
    });

    it('invalid options list the bad fields', async () => {
      await expectFailure(
        /invalid options for @lucid\/nx-lucid:scan:\n {2}- gate\.cvssThreshold: .*\n {2}- (\(root\)|.*bogus)/,
        {
          ...baseOptions,
          bogus: 1,
          gate: { cvssThreshold: 11 },
        },
      );
    });

    it('a build that has not run', async () => {
      rmSync(join(ws, OUT), { recursive: true });
      await expectFailure(/metadata\.json not found: run the container-build target first/);
    });
  });

  describe("bin/trivy-db-key.js (the scan target's runtime cache input)", () => {
    const key = () => {
      const r = require('node:child_process').spawnSync(
        process.execPath,
        [join(__dirname, '..', 'bin', 'trivy-db-key.js')],
        { env: process.env, encoding: 'utf8' },
      );
      expect(r.status).toBe(0);
      return r.stdout.trim() as string;
    };
    it("keys on the shared DB's UpdatedAt when one is configured, else on the UTC day", () => {
      process.env.LUCID_TRIVY_DB_DIR = join(ws, 'trivy-db');
      expect(key()).toBe('trivy:0.58.0-stand-in db:2:2025-05-31T06:00:00Z');
      expect(calls().at(-1)!.argv).toEqual(['version', '--format', 'json', '--cache-dir', join(ws, 'trivy-db')]);
      delete process.env.LUCID_TRIVY_DB_DIR;
      expect(key()).toBe(`trivy:0.58.0-stand-in day:${new Date().toISOString().slice(0, 10)}`);
    });
    it('prints a stable marker when trivy is absent', () => {
      process.env.PATH = emptyDir;
      // node itself is started by absolute path; only trivy is missing.
      expect(key()).toBe('trivy:absent');
    });
  });
});

describe('scan of a published image by reference, against a real local registry', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
  });
  afterAll(async () => reg?.stop());

  const TOKEN = 'ghp_scanTokenMustNotReachTrivy0123456789';
  const envLog = () => join(ws, 'env.jsonl');
  const envs = () =>
    readFileSync(envLog(), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, string> });

  /** A small two-platform image, pushed with skopeo (independent of our push code); returns its index digest. */
  async function publish(repo: string, tag: string): Promise<string> {
    const made = makeLayout({ project: 'published', layerBytes: 2048, sharedLayerBytes: 1024 });
    try {
      await runProcess(
        'skopeo',
        [
          'copy',
          '--all',
          '--quiet',
          '--dest-tls-verify=false',
          `oci:${made.layoutDir}`,
          `docker://${reg.host}/${repo}:${tag}`,
        ],
        { timeoutMs: 120_000 },
      );
    } finally {
      rmSync(made.root, { recursive: true, force: true });
    }
    const r = await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { accept: MediaType.ociIndex },
    });
    expect(r.status).toBe(200);
    return r.headers.get('docker-content-digest')!;
  }

  it('by digest, with no build output: our client pulls each platform over plain HTTP (loopback), Trivy reads that layout with no token in its env, the gate fails on the report', async () => {
    const digest = await publish('hamigames/lucid/published', '1.0.0');
    rmSync(join(ws, OUT), { recursive: true }); // no metadata.json, no OCI layout
    process.env.GITHUB_TOKEN = TOKEN;
    process.env.GHCR_TOKEN = TOKEN;
    fake.FAKE_TRIVY_REPORT = join(TRIVY_FIXTURES, 'debian-buster.json');
    fake.FAKE_TRIVY_ENV_LOG = envLog();
    const ref = `${reg.host}/hamigames/lucid/published@${digest}`;

    const result = await scanExecutor({ ...baseOptions, imageRef: ref }, context());
    expect(result.success).toBe(false);
    const scans = calls().filter((c) => c.argv[0] === 'image');
    expect(
      scans.map((c) => [
        c.argv[1],
        c.argv[2],
        flagValue(c.argv, '--format'),
        c.argv.includes('--insecure'),
        c.argv.includes(ref),
      ]),
    ).toEqual([
      ['--input', expect.stringMatching(/linux-amd64$/), 'json', false, false],
      ['--input', expect.stringMatching(/linux-amd64$/), 'cyclonedx', false, false],
      ['--input', expect.stringMatching(/linux-arm64$/), 'json', false, false],
      ['--input', expect.stringMatching(/linux-arm64$/), 'cyclonedx', false, false],
    ]);
    // The SBOM names the published image by its index digest.
    expect(readArtifact(join(ws, OUT), ARTIFACTS.sbom)!.metadata.component).toMatchObject({
      name: `${reg.host}/hamigames/lucid/published`,
      version: digest,
    });
    const outcome = scanOutcomeSchema.parse(JSON.parse(readFileSync(scanFile('gate.json'), 'utf8')));
    expect(outcome).toMatchObject({
      passed: false,
      target: { kind: 'image-ref', ref, digest },
      platforms: ['linux/amd64', 'linux/arm64'],
    });
    expect(outcome.failing.map((f) => [f.id, f.platforms])).toEqual([
      ['CVE-2019-18224', ['linux/amd64', 'linux/arm64']],
      ['CVE-2019-18276', ['linux/amd64', 'linux/arm64']],
    ]);

    // The token is in our environment but in none of trivy's (version, two scans and two SBOMs, convert), by name
    // or by value.
    const seen = envs();
    expect(seen.map((e) => e.argv[0])).toEqual(['version', 'image', 'image', 'image', 'image', 'convert']);
    for (const { env } of seen) {
      expect(env.GITHUB_TOKEN).toBeUndefined();
      expect(env.GHCR_TOKEN).toBeUndefined();
      expect(Object.values(env).some((v) => v.includes(TOKEN))).toBe(false);
      expect(env.PATH).toBe(process.env.PATH);
    }
    expect(JSON.stringify(calls())).not.toContain(TOKEN);
  });

  it('by tag, a clean report passes; a platform the index lacks, or an absent image, fails before Trivy runs', async () => {
    await publish('hamigames/lucid/published', 'v2');
    fake.FAKE_TRIVY_REPORT = join(TRIVY_FIXTURES, 'engine-ci-alpine-no-vulns.json');
    const ref = `${reg.host}/hamigames/lucid/published:v2`;
    expect((await scanExecutor({ ...baseOptions, imageRef: ref, platforms: ['linux/amd64'] }, context())).success).toBe(
      true,
    );
    // The digest the tag resolved to, as pulled: what was scanned.
    expect(scanOutcomeSchema.parse(JSON.parse(readFileSync(scanFile('gate.json'), 'utf8'))).target).toEqual({
      kind: 'image-ref',
      ref,
      digest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/),
    });

    expect((await scanExecutor({ ...baseOptions, imageRef: ref, platform: 'linux/s390x' }, context())).success).toBe(
      false,
    );
    expect(errors.join('\n')).toMatch(
      /platform linux\/s390x is not in .* \(it has linux\/amd64, linux\/arm64\); nothing was scanned/,
    );
    expect(
      (await scanExecutor({ ...baseOptions, imageRef: `${reg.host}/hamigames/lucid/absent:1` }, context())).success,
    ).toBe(false);
    expect(errors.join('\n')).toMatch(
      /GET manifest 1 on .*\/hamigames\/lucid\/absent failed: HTTP 404 MANIFEST_UNKNOWN/,
    );
  });
});

/** Credentials a CI job holds, by name; none may reach a trivy process. */
const CREDENTIALS: Record<string, string> = {
  GHCR_TOKEN: 'ghp_ghcrTokenMustNotReachTrivy0123456789',
  GITHUB_TOKEN: 'ghs_githubTokenMustNotReachTrivy012345',
  LUCID_REGISTRY_GHCR_IO_PASSWORD: 'registryPasswordMustNotReachTrivy',
  LUCID_REGISTRY_GHCR_IO_USERNAME: 'registry-user-not-for-trivy',
  NPM_TOKEN: 'npm_tokenMustNotReachTrivy',
  ACTIONS_RUNTIME_TOKEN: 'actionsRuntimeTokenNotForTrivy',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidcRequestTokenNotForTrivy',
  AWS_ACCESS_KEY_ID: 'AKIAMUSTNOTREACHTRIVY',
  AWS_SECRET_ACCESS_KEY: 'awsSecretMustNotReachTrivy',
  TRIVY_PASSWORD: 'trivyPasswordNotForTrivy',
  TRIVY_USERNAME: 'trivy-user-not-for-trivy',
  TRIVY_REGISTRY_TOKEN: 'trivyRegistryTokenNotForTrivy',
  DEPLOY_SECRET: 'deploySecretNotForTrivy',
};

/** Each trivy process's environment as the kernel holds it (/proc/<pid>/environ), dumped by the stand-in. */
const environs = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { argv: string[]; pid: number; env: Record<string, string> });

function expectNoCredential(seen: ReturnType<typeof environs>) {
  for (const { argv, env } of seen) {
    const leaked = Object.keys(env).filter(
      (k) => k in CREDENTIALS || /TOKEN|PASSWORD|SECRET|^AWS_/.test(k) || Object.values(CREDENTIALS).includes(env[k]),
    );
    expect({ argv, leaked }).toEqual({ argv, leaked: [] });
    for (const v of Object.values(env)) for (const c of Object.values(CREDENTIALS)) expect(v).not.toContain(c);
  }
}

describe('no trivy process holds a credential (its /proc/<pid>/environ read by the stand-in)', () => {
  it('scan: version, each platform scan and convert', async () => {
    Object.assign(process.env, CREDENTIALS);
    fake.FAKE_TRIVY_REPORT = join(TRIVY_FIXTURES, 'engine-ci-alpine-no-vulns.json');
    fake.FAKE_TRIVY_CONVERT = `copy:${join(TRIVY_FIXTURES, 'alpine-310.sarif')}`;
    fake.FAKE_TRIVY_ENV_LOG = join(ws, 'env.jsonl');
    expect((await scanExecutor({ ...baseOptions, sarif: 'auto' }, context())).success).toBe(true);
    const seen = environs(join(ws, 'env.jsonl'));
    expect(seen.map((s) => s.argv[0])).toEqual(['version', 'image', 'image', 'image', 'image', 'convert']);
    expect(new Set(seen.map((s) => s.pid)).size).toBe(6);
    expect(seen[1].env.PATH).toBe(process.env.PATH);
    expectNoCredential(seen);
  });

  it("bin/trivy-db-key.js (Nx's runtime input on every scan and container-push) and the trivy it starts", () => {
    const r = require('node:child_process').spawnSync(
      process.execPath,
      [join(__dirname, '..', 'bin', 'trivy-db-key.js')],
      { env: { ...process.env, ...CREDENTIALS }, cwd: ws, encoding: 'utf8' },
    );
    fake.FAKE_TRIVY_ENV_LOG = join(ws, 'env.jsonl');
    const again = require('node:child_process').spawnSync(
      process.execPath,
      [join(__dirname, '..', 'bin', 'trivy-db-key.js')],
      { env: { ...process.env, ...CREDENTIALS }, cwd: ws, encoding: 'utf8' },
    );
    expect([r.status, again.status]).toEqual([0, 0]);
    expect(again.stdout).toBe(r.stdout);
    const seen = environs(join(ws, 'env.jsonl'));
    expect(seen.map((s) => s.argv[0])).toEqual(['version']);
    expect(Object.keys(seen[0].env).sort()).toEqual(
      ['HOME', 'PATH', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'XDG_CACHE_HOME', 'TRIVY_CACHE_DIR']
        .filter((k) => process.env[k] !== undefined)
        .sort(),
    );
    expectNoCredential(seen);
    // Not the workspace: a trivy.yaml there cannot steer `trivy version`.
    expect(calls().at(-1)!.cwd.startsWith(ws)).toBe(false);
  });
});

describe('the gate cannot be opened by the workspace or the caller (stand-in trivy filters as Trivy does)', () => {
  /** Every place Trivy would take a filter from: trivy.yaml and .trivyignore in its working dir, TRIVY_*. */
  function plant(): NodeJS.ProcessEnv {
    writeFileSync(
      join(ws, 'trivy.yaml'),
      'severity:\n  - LOW\nvulnerability:\n  ignore-unfixed: true\nscan:\n  scanners:\n    - secret\n',
    );
    writeFileSync(join(ws, '.trivyignore'), 'CVE-2019-18224\n');
    writeFileSync(join(ws, 'other.trivyignore'), 'CVE-2019-18224\nCVE-2019-18276\n');
    return {
      TRIVY_SEVERITY: 'LOW,MEDIUM',
      TRIVY_IGNOREFILE: join(ws, 'other.trivyignore'),
      TRIVY_IGNORE_UNFIXED: 'true',
      TRIVY_SCANNERS: 'secret',
      TRIVY_CONFIG: join(ws, 'trivy.yaml'),
    };
  }

  const reportOf = (file: string) =>
    (
      JSON.parse(readFileSync(file, 'utf8')) as {
        Results: Array<{ Vulnerabilities?: Array<{ VulnerabilityID: string }> }>;
      }
    ).Results.flatMap((r) => r.Vulnerabilities ?? []).map((v) => v.VulnerabilityID);

  it('control: run as before (workspace cwd, inherited env, no neutralising flags), the stand-in drops the CRITICAL finding', async () => {
    fake.FAKE_TRIVY_REPORT = join(TRIVY_FIXTURES, 'debian-buster.json');
    const planted = plant();
    const cases: Array<[string, NodeJS.ProcessEnv]> = [
      ['trivy.yaml in the working dir', {}],
      ['.trivyignore in the working dir', {}],
      ['TRIVY_SEVERITY', { TRIVY_SEVERITY: planted.TRIVY_SEVERITY }],
      ['TRIVY_IGNOREFILE', { TRIVY_IGNOREFILE: planted.TRIVY_IGNOREFILE }],
      ['TRIVY_SCANNERS', { TRIVY_SCANNERS: planted.TRIVY_SCANNERS }],
    ];
    const view = join(ws, 'view');
    writePlatformLayoutView(
      join(ws, OUT, 'oci'),
      { digest: build.manifestDigests[0], mediaType: MediaType.ociManifest, size: 0 },
      view,
    );
    for (const [i, [what, extra]] of cases.entries()) {
      if (i === 1) rmSync(join(ws, 'trivy.yaml'));
      if (i === 2) rmSync(join(ws, '.trivyignore'));
      const out = join(ws, `control-${i}.json`);
      await runProcess('trivy', ['image', '--input', view, '--format', 'json', '--output', out], {
        cwd: ws,
        env: { ...process.env, ...extra },
      });
      expect({ what, critical: reportOf(out).includes('CVE-2019-18224') }).toEqual({ what, critical: false });
    }
  });

  it('planted trivy.yaml, .trivyignore and TRIVY_* everywhere: Trivy still reports everything and the gate fails on the CRITICAL finding', async () => {
    fake.FAKE_TRIVY_REPORT = join(TRIVY_FIXTURES, 'debian-buster.json');
    Object.assign(process.env, plant());
    const result = await scanExecutor({ ...baseOptions, platform: 'linux/amd64' }, context());
    expect(result.success).toBe(false);
    expect(reportOf(scanFile('report.json')).sort()).toEqual(reportOf(fake.FAKE_TRIVY_REPORT).sort());
    const outcome = scanOutcomeSchema.parse(JSON.parse(readFileSync(scanFile('gate.json'), 'utf8')));
    expect(outcome.failing.map((f) => [f.id, f.severity])).toEqual([
      ['CVE-2019-18224', 'CRITICAL'],
      ['CVE-2019-18276', 'LOW'],
    ]);
    expect(errors.some((l) => l.startsWith('✗ CVE-2019-18224 in libidn2'))).toBe(true);
  });
});
