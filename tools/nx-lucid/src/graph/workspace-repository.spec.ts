import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findWorkspaceRepository } from './workspace-repository';

describe('findWorkspaceRepository (a real git checkout)', () => {
  let dir: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lucid-repo-default-'));
    git('init', '-q');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("the origin remote's owner/name, lower-cased, when nothing else names one", async () => {
    git('remote', 'add', 'origin', 'https://github.com/Acme-Corp/Hello-World.git');
    expect(await findWorkspaceRepository(dir, undefined, {})).toEqual({
      repository: 'acme-corp/hello-world',
      source: 'git remote origin',
    });
  });

  it('configuration and GITHUB_REPOSITORY win over the remote', async () => {
    git('remote', 'add', 'origin', 'https://github.com/Acme-Corp/Hello-World.git');
    expect((await findWorkspaceRepository(dir, 'team/images', {}))?.repository).toBe('team/images');
    expect((await findWorkspaceRepository(dir, undefined, { GITHUB_REPOSITORY: 'Org/Repo' }))?.repository).toBe(
      'org/repo',
    );
  });

  it('no origin remote, or not a checkout: undefined', async () => {
    git('remote', 'add', 'upstream', 'https://github.com/acme/shop.git');
    expect(await findWorkspaceRepository(dir, undefined, {})).toBeUndefined();
    expect(await findWorkspaceRepository(join(dir, 'missing'), undefined, {})).toBeUndefined();
  });
});
