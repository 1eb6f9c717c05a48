import { spawnSync } from 'node:child_process';
import { processAlive, runOnceEach, RunOptions } from './process';

describe('processAlive', () => {
  it('is true for a running process and false once it has exited and been reaped', () => {
    expect(processAlive(process.pid)).toBe(true);
    const child = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
    expect(child.status).toBe(0);
    expect(processAlive(child.pid!)).toBe(false);
  });
});

describe('runOnceEach', () => {
  it('starts each distinct query once per batch and shares its answer; runs with input or env always run', async () => {
    const calls: string[] = [];
    const run = runOnceEach(async (command: string, args: readonly string[], options: RunOptions = {}) => {
      calls.push([command, ...args, options.cwd ?? ''].join(' '));
      return { exitCode: 0, stdout: `${calls.length}`, stderr: '' };
    });
    const heads = await Promise.all([1, 2, 3].map(() => run('git', ['rev-parse', 'HEAD'], { cwd: '/w' })));
    expect(heads.map((r) => r.stdout)).toEqual(['1', '1', '1']);
    expect((await run('git', ['rev-parse', 'HEAD'], { cwd: '/other' })).stdout).toBe('2');
    expect((await run('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: '/w' })).stdout).toBe('3');
    await run('git', ['rev-parse', 'HEAD'], { cwd: '/w', input: 'x' });
    await run('git', ['rev-parse', 'HEAD'], { cwd: '/w', env: {} });
    expect(calls).toEqual([
      'git rev-parse HEAD /w',
      'git rev-parse HEAD /other',
      'git rev-parse --abbrev-ref HEAD /w',
      'git rev-parse HEAD /w',
      'git rev-parse HEAD /w',
    ]);
  });
});
