import { spawnSync } from 'node:child_process';
import { childEnv, credentialVarsFor, processAlive, runOnceEach, RunOptions } from './process';

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

describe('childEnv and credentialVarsFor', () => {
  const parent = {
    PATH: '/bin',
    HOME: '/h',
    GHCR_TOKEN: 't',
    LUCID_REGISTRY_X_PASSWORD: 'p',
    NPM_TOKEN: 'n',
    AWS_SECRET_ACCESS_KEY: 'k',
  };

  it('drops every credential variable unless it is named', () => {
    expect(childEnv([], parent)).toEqual({ PATH: '/bin', HOME: '/h' });
    expect(childEnv(['NPM_TOKEN'], parent)).toEqual({ PATH: '/bin', HOME: '/h', NPM_TOKEN: 'n' });
  });

  it('names what the command asks for: an env build secret, the gha cache token', () => {
    expect(credentialVarsFor('buildah', ['build', '--secret', 'id=npm,env=NPM_TOKEN', '.'])).toEqual(['NPM_TOKEN']);
    expect(
      credentialVarsFor('docker', ['buildx', 'build', '--secret=id=a,env=A_TOKEN', '--cache-to', 'type=gha,scope=s']),
    ).toEqual(['A_TOKEN', 'ACTIONS_RUNTIME_TOKEN']);
    expect(credentialVarsFor('git', ['rev-parse', 'HEAD'])).toEqual([]);
    expect(credentialVarsFor('buildah', ['build', '--secret', 'id=f,src=file'])).toEqual([]);
  });
});
