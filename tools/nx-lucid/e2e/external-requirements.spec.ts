/*
 * The skip helper for suites needing what no package provides, run for real: a child Jest runs a probe suite that
 * needs one file, with the file present, absent, and absent under LUCID_REQUIRE_ALL_SUITES=1 (what .ci/run sets).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runProcess } from '../src/boundary/process';
import { WORKSPACE_ROOT } from './support/workspace';

const PLUGIN = resolve(__dirname, '..');
let dir: string;

interface ProbeRun {
  exitCode: number;
  stderr: string;
  skippedFile: string;
  result: { numPassedTests: number; numFailedTests: number; numPendingTests: number; message: string };
}

async function runProbe(env: Record<string, string>): Promise<ProbeRun> {
  const config = join(dir, 'jest.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      rootDir: PLUGIN,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/e2e/support/probe/requirement-probe.ts'],
      transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
    }),
  );
  const out = join(dir, 'result.json');
  const skippedFile = join(dir, `skipped-${Object.keys(env).join('-')}.txt`);
  writeFileSync(skippedFile, '');
  const { LUCID_REQUIRE_ALL_SUITES: _ignored, ...parentEnv } = process.env;
  const r = await runProcess(
    process.execPath,
    [
      join(WORKSPACE_ROOT, 'node_modules/jest/bin/jest.js'),
      '--config',
      config,
      '--ci',
      '--json',
      `--outputFile=${out}`,
    ],
    { cwd: PLUGIN, env: { ...parentEnv, LUCID_SKIPPED_SUITES_FILE: skippedFile, ...env }, allowFailure: true },
  );
  const json = JSON.parse(readFileSync(out, 'utf8'));
  return {
    exitCode: r.exitCode,
    stderr: r.stderr,
    skippedFile: readFileSync(skippedFile, 'utf8'),
    result: { ...json, message: json.testResults.map((t: { message: string }) => t.message).join('\n') },
  };
}

describe('describeWhenAvailable (the skip helper)', () => {
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'lucid-requirements-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the suite when what it needs is there', async () => {
    const present = join(dir, 'present');
    writeFileSync(present, '');
    const r = await runProbe({ PROBE_PATH: present });
    expect([r.exitCode, r.result.numPassedTests, r.result.numPendingTests]).toEqual([0, 1, 0]);
    expect(r.skippedFile).toBe('');
  });

  it('skips it with one line naming what is missing and how to provide it', async () => {
    const missing = join(dir, 'missing');
    const r = await runProbe({ PROBE_PATH: missing });
    expect([r.exitCode, r.result.numPassedTests, r.result.numPendingTests]).toEqual([0, 0, 1]);
    const line = `skipped "probe suite": the probe file not found (${missing}); create it`;
    expect(r.stderr.split('\n').filter((l) => l.includes('skipped "probe suite"'))).toEqual([line]);
    expect(r.skippedFile).toBe(`${line}\n`);
  });

  it('fails it instead under LUCID_REQUIRE_ALL_SUITES=1', async () => {
    const missing = join(dir, 'missing');
    const r = await runProbe({ PROBE_PATH: missing, LUCID_REQUIRE_ALL_SUITES: '1' });
    expect(r.exitCode).not.toBe(0);
    expect([r.result.numPassedTests, r.result.numFailedTests, r.result.numPendingTests]).toEqual([0, 1, 0]);
    expect(r.result.message).toContain(`cannot run "probe suite": the probe file not found (${missing}); create it`);
    expect(r.skippedFile).toBe('');
  });
});
