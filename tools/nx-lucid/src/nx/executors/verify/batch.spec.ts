import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBuildOutput } from '../../../verify/testing/build-output';
import verifyBatch from './batch';

describe('container-verify batch implementation', () => {
  let ws: string;
  beforeEach(() => (ws = mkdtempSync(join(tmpdir(), 'verify-batch-'))));
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('verifies every task in one process: one result each, a failing image fails alone, each its own output', async () => {
    const projects = ['svc-a', 'svc-b', 'svc-c'];
    for (const p of projects) {
      const files =
        p === 'svc-b' ? [{ name: 'bin/sh', content: '#!' }] : [{ name: 'app/main.py', content: 'print(1)' }];
      await writeBuildOutput(ws, `dist/containers/${p}`, files, undefined, p);
    }
    const id = (p: string) => `${p}:container-verify`;
    const taskGraph = {
      roots: [],
      dependencies: {},
      tasks: Object.fromEntries(
        projects.map((p) => [id(p), { id: id(p), target: { project: p, target: 'container-verify' } }]),
      ),
    } as unknown as TaskGraph;
    const inputs = Object.fromEntries(
      projects.map((p) => [
        id(p),
        { outputPath: `dist/containers/${p}`, repository: 'hamigames/lucid', platforms: ['linux/amd64'] },
      ]),
    );
    const context = { root: ws, cwd: ws, isVerbose: false } as unknown as ExecutorContext;

    const results = new Map<string, { success: boolean; terminalOutput: string }>();
    for await (const r of verifyBatch(taskGraph, inputs, {}, context)) results.set(r.task, r.result);

    expect([...results.keys()].sort()).toEqual(projects.map(id));
    expect(results.get(id('svc-a'))?.success).toBe(true);
    expect(results.get(id('svc-c'))?.success).toBe(true);
    expect(results.get(id('svc-b'))?.success).toBe(false);
    expect(results.get(id('svc-b'))?.terminalOutput).toMatch(/bin\/sh/);
    expect(results.get(id('svc-a'))?.terminalOutput).not.toMatch(/bin\/sh/);
    for (const p of projects) expect(existsSync(join(ws, `dist/containers/${p}/verify.json`))).toBe(true);
  });

  it('fails a task with bad options alone, naming the option', async () => {
    await writeBuildOutput(ws, 'dist/containers/ok', [{ name: 'app/main.py', content: 'x' }], undefined, 'ok');
    const taskGraph = {
      tasks: {
        'ok:container-verify': { target: { project: 'ok', target: 'container-verify' } },
        'bad:container-verify': { target: { project: 'bad', target: 'container-verify' } },
      },
    } as unknown as TaskGraph;
    const inputs = {
      'ok:container-verify': {
        outputPath: 'dist/containers/ok',
        repository: 'hamigames/lucid',
        platforms: ['linux/amd64'],
      },
      'bad:container-verify': { outputPath: 42 },
    };
    const context = { root: ws, cwd: ws, isVerbose: false } as unknown as ExecutorContext;
    const results = new Map<string, { success: boolean; terminalOutput: string }>();
    for await (const r of verifyBatch(taskGraph, inputs, {}, context)) results.set(r.task, r.result);
    expect(results.get('ok:container-verify')?.success).toBe(true);
    expect(results.get('bad:container-verify')?.success).toBe(false);
    expect(results.get('bad:container-verify')?.terminalOutput).toMatch(/outputPath/);
  });
});
