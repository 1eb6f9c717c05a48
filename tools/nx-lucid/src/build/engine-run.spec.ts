import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessError, RunOptions, runProcess } from '../boundary/process';
import { buildahEngine } from './engines/buildah';
import type { EngineBuildPlan } from './engines/engine';
import type { BuildRequest, PreparedBuild } from './build-request';
import { ENGINE_LOG, freshScratch, runEngine } from './engine-run';

const DOCKERFILE = 'FROM python:3.11-slim AS builder\nRUN pip install \\\n  -r requirements.txt\nFROM scratch\n';
const STEP_FAILURE = [
  '[1/2] STEP 2/2: RUN pip install   -r requirements.txt',
  'ERROR: No matching distribution found for lucid-missing',
].join('\n');

describe('running the engine: retry, engine.log, the failure at file:line', () => {
  let root: string;
  let prepared: PreparedBuild;
  const logs: string[] = [];
  const calls: Array<{ args: readonly string[]; options: RunOptions }> = [];
  const request = (run: typeof runProcess, verbose = false) =>
    ({
      workspaceRoot: root,
      project: 'svc',
      projectRoot: 'apps/svc',
      tags: [],
      options: {} as BuildRequest['options'],
      env: { LUCID_TEST_TOKEN: 'token-value-1234' },
      log: (l: string) => void logs.push(l),
      deps: { run, now: () => 0 },
      verbose,
    }) as BuildRequest;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'lucid-engine-run-'));
    mkdirSync(join(root, 'apps/svc'), { recursive: true });
    writeFileSync(join(root, 'apps/svc/Dockerfile'), DOCKERFILE);
    logs.length = 0;
    calls.length = 0;
    const plan = {
      dockerfile: 'apps/svc/Dockerfile',
      stagingDir: join(root, 'scratch/staging'),
      context: '.',
      platforms: ['linux/amd64', 'linux/arm64'],
      labels: {},
      buildArgs: {},
      buildContexts: {},
      insecureRegistries: [],
      timestamp: 0,
      noCache: false,
      storageDir: join(root, 'shared-store'),
      manifestList: 'lucid-build-svc-1-abc',
      secrets: [{ id: 'token', env: 'LUCID_TEST_TOKEN' }],
    } as unknown as EngineBuildPlan;
    prepared = {
      engine: buildahEngine,
      plan,
      commands: [
        {
          command: 'buildah',
          args: ['build', '--secret', 'id=token,env=LUCID_TEST_TOKEN'],
          label: 'buildah build',
          env: { CONTAINERS_REGISTRIES_CONF: join(root, 'scratch/registries.conf') },
        },
      ],
      files: [
        {
          path: join(root, 'scratch/registries.conf'),
          content: 'unqualified-search-registries = ["docker.io"]\n',
          why: 'x',
        },
      ],
    } as unknown as PreparedBuild;
    freshScratch(prepared);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const failing = (stdout: string, stderr: string, times = Infinity) => {
    let n = 0;
    return async (_c: string, args: readonly string[], options: RunOptions = {}) => {
      calls.push({ args, options });
      if (n++ < times) throw new ProcessError('buildah build … failed (exit 1)', 1, stdout, stderr);
      return { exitCode: 0, stdout: 'built', stderr: '' };
    };
  };

  it('a RUN that fails: file:line first, the log path, no command line; engine.log holds the whole output, redacted', async () => {
    const out = join(root, 'dist');
    mkdirSync(out);
    const run = failing(
      STEP_FAILURE,
      'Error: building at STEP "RUN pip install   -r requirements.txt": exit status 1\nleaked token-value-1234',
    );
    const error = (await runEngine(request(run), prepared, out).catch((e: Error) => e)) as Error;
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('apps/svc/Dockerfile:2: RUN pip install: exit status 1');
    expect(lines[1]).toBe('buildah build failed (exit 1): leaked ***');
    expect(lines[2]).toBe(`the engine's full log: ${join(out, ENGINE_LOG)}`);
    expect(lines).toHaveLength(3);
    const log = readFileSync(join(out, ENGINE_LOG), 'utf8');
    expect(log).toContain('No matching distribution found for lucid-missing');
    expect(log).not.toContain('token-value-1234');
    // The private registries.conf reaches the engine through its environment; the secret value only for redaction.
    expect(calls[0].options.env?.CONTAINERS_REGISTRIES_CONF).toBe(join(root, 'scratch/registries.conf'));
    expect(calls[0].options.secrets).toContain('token-value-1234');
    expect(calls[0].args.join(' ')).not.toContain('token-value-1234');
  });

  it('--verbose adds the command line', async () => {
    const run = failing('', 'Error: building at STEP "RUN pip install   -r requirements.txt": exit status 1');
    const error = (await runEngine(request(run, true), prepared, root).catch((e: Error) => e)) as Error;
    expect(error.message.split('\n').pop()).toBe('command: buildah build --secret id=token,env=LUCID_TEST_TOKEN');
  });

  it('a transient storage error is retried once on a fresh private store in the scratch folder (its files written again); a success leaves no engine.log', async () => {
    writeFileSync(join(root, ENGINE_LOG), 'stale');
    const run = failing('', 'Error: chdir /tmp/x/storage/root/overlay/0a/merged: no such file or directory', 1);
    await runEngine(request(run), prepared, root);
    // The failed build on the shared store, then build and push on the private one.
    expect(calls).toHaveLength(3);
    for (const c of calls.slice(1)) {
      expect(c.args.slice(0, 4)).toEqual([
        '--root',
        join(root, 'scratch/storage/root'),
        '--runroot',
        join(root, 'scratch/storage/runroot'),
      ]);
    }
    expect(calls[1].args).toContain('lucid-build-svc-1-abc');
    expect(logs).toContain(
      'transient builder storage error, retrying the build once on fresh storage: Error: chdir /tmp/x/storage/root/overlay/0a/merged: no such file or directory',
    );
    expect(existsSync(join(root, 'scratch/registries.conf'))).toBe(true);
    expect(existsSync(join(root, ENGINE_LOG))).toBe(false);
  });
});
