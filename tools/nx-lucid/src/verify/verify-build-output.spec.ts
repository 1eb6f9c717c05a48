import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, readArtifact } from '../artifacts/artifacts';
import { ENV_OVERRIDES } from '../config/resolve';
import { OVERRIDE_VALUES } from '../config/testing/env-overrides';
import { DEFAULT_FORBIDDEN_PATHS, DEFAULT_REQUIRED_LABELS } from './checks';
import { writeBuildOutput } from './testing/build-output';
import { verifyBuildOutput, VerifyOptions } from './verify-build-output';

const OUT = 'dist/containers/api';
const options = (over: Partial<VerifyOptions> = {}): VerifyOptions => ({
  outputPath: OUT,
  repository: 'hamigames/lucid',
  platforms: ['linux/amd64'],
  forbiddenPaths: [...DEFAULT_FORBIDDEN_PATHS],
  additionalForbiddenPaths: [],
  requiredLabels: [...DEFAULT_REQUIRED_LABELS],
  dryRun: false,
  ...over,
});

describe('verifyBuildOutput (the verify use case)', () => {
  let ws: string;
  let info: string[];
  let errors: string[];
  const deps = (env: NodeJS.ProcessEnv = {}) => ({
    env,
    log: (l: string) => info.push(l),
    logError: (l: string) => errors.push(l),
  });

  const build = (files: Array<{ name: string; content: string }>, indexDigest?: string) =>
    writeBuildOutput(ws, OUT, files, indexDigest);

  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'verify-uc-'));
    info = [];
    errors = [];
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('passes a clean image and records verify.json, which reads back through its schema', async () => {
    await build([{ name: 'app/main.py', content: 'print(1)' }]);
    expect(await verifyBuildOutput(ws, options(), deps())).toBe(true);
    const record = readArtifact(join(ws, OUT), ARTIFACTS.verify);
    expect(record).toMatchObject({
      project: 'api',
      success: true,
      findings: [],
      policy: { platforms: ['linux/amd64'], sourceRepository: 'https://github.com/hamigames/lucid' },
    });
    expect(errors).toEqual([]);
  });

  it('fails on a shell, and on metadata naming another index than the layout holds', async () => {
    await build([{ name: 'bin/sh', content: '#!' }], `sha256:${'f'.repeat(64)}`);
    expect(await verifyBuildOutput(ws, options(), deps())).toBe(false);
    const record = JSON.parse(readFileSync(join(ws, OUT, 'verify.json'), 'utf8'));
    expect(record.findings.map((f: { check: string }) => f.check)).toEqual(['layout', 'forbidden-path']);
    expect(errors[0]).toBe('✖ api: 2 finding(s):');
  });

  it('applies LUCID_PLATFORMS as the build does, and refuses it set but empty', async () => {
    await build([{ name: 'app/main.py', content: 'print(1)' }]);
    expect(await verifyBuildOutput(ws, options(), deps({ LUCID_PLATFORMS: 'linux/amd64,linux/arm64' }))).toBe(false);
    expect(errors.join('\n')).toContain('configured platform linux/arm64 is missing from the image index');
    await expect(verifyBuildOutput(ws, options(), deps({ LUCID_PLATFORMS: '' }))).rejects.toThrow(
      /LUCID_PLATFORMS is set but empty/,
    );
  });

  // The inferred verify target hashes LUCID_PLATFORMS and LUCID_REPOSITORY and no other override (create-nodes.ts):
  // verify must then do exactly the same with and without each of the others, down to its log lines and verify.json.
  it('reads LUCID_PLATFORMS and LUCID_REPOSITORY and no other LUCID_* override', async () => {
    await build([{ name: 'app/main.py', content: 'print(1)' }]);
    const run = async (env: NodeJS.ProcessEnv) => {
      info = [];
      errors = [];
      const passed = await verifyBuildOutput(ws, options(), deps(env));
      const record = readFileSync(join(ws, OUT, 'verify.json'), 'utf8');
      return { passed, info, errors, record };
    };
    const { [ENV_OVERRIDES.platforms]: platforms, [ENV_OVERRIDES.repository]: repository, ...others } = OVERRIDE_VALUES;
    const plain = await run({});
    expect(plain.passed).toBe(true);
    expect(await run(others)).toEqual(plain);
    expect(await run({ [ENV_OVERRIDES.platforms]: platforms })).not.toEqual(plain);
    // The build labels the source from LUCID_REPOSITORY (no GitHub remote): verify requires that repository then.
    const moved = await run({ [ENV_OVERRIDES.repository]: repository });
    expect(moved.passed).toBe(false);
    expect(moved.errors.join('\n')).toContain(`expected the repository https://github.com/${repository}`);
  });

  it('--dry-run writes nothing', async () => {
    await build([{ name: 'app/main.py', content: 'print(1)' }]);
    expect(await verifyBuildOutput(ws, options({ dryRun: true }), deps())).toBe(true);
    expect(existsSync(join(ws, OUT, 'verify.json'))).toBe(false);
    expect(info).toContain(`[dry-run] would write ${OUT}/verify.json`);
  });
});
