import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeContainerProject } from './project-analysis';
import { roundFiles } from './workspace-files';

/** A COPY source known to be a directory is hashed as everything below it, a file as itself; unknown: both. */
describe('container-build inputs per COPY source kind', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'lucid-source-kinds-'));
    mkdirSync(join(root, 'apps/api/src'), { recursive: true });
    mkdirSync(join(root, 'libs/common'), { recursive: true });
    writeFileSync(join(root, 'apps/api/src/main.py'), '');
    writeFileSync(join(root, 'apps/api/requirements.txt'), '');
    symlinkSync('../libs/common', join(root, 'apps/common-link'));
    writeFileSync(
      join(root, 'apps/api/Dockerfile'),
      [
        'FROM scratch',
        'COPY apps/api/src /app/',
        'COPY apps/api/requirements.txt /app/',
        'COPY apps/common-link /lib/',
        'COPY apps/api/*.cfg /etc/',
        'COPY apps/api/missing /x/',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const expected = [
    '{workspaceRoot}/apps/api/*.cfg',
    '{workspaceRoot}/apps/api/*.cfg/**/*',
    '{workspaceRoot}/apps/api/Dockerfile',
    '{workspaceRoot}/apps/api/missing',
    '{workspaceRoot}/apps/api/missing/**/*',
    '{workspaceRoot}/apps/api/requirements.txt',
    '{workspaceRoot}/apps/api/src/**/*',
    '{workspaceRoot}/apps/common-link/**/*',
  ];

  it('on disk (and through a round reader): directory, file, symlinked directory, glob, missing path', () => {
    for (const ws of [root, roundFiles(root)]) {
      expect([...analyzeContainerProject(ws, 'apps/api/Dockerfile').inputs].sort()).toEqual(expected);
    }
  });

  it('a reader that cannot tell (the generator Tree) keeps both forms of every source', () => {
    const tree = roundFiles(root);
    const blind = { exists: tree.exists, read: tree.read };
    expect(analyzeContainerProject(blind, 'apps/api/Dockerfile').inputs).toEqual(
      expect.arrayContaining([
        '{workspaceRoot}/apps/api/src',
        '{workspaceRoot}/apps/api/src/**/*',
        '{workspaceRoot}/apps/api/requirements.txt/**/*',
      ]),
    );
  });

  it('a round reader takes the files Nx matched as files without a stat, and stats everything else', () => {
    // Not on disk: only the seed can make the reader say it exists.
    const round = roundFiles(root, ['apps/api/Dockerfile.dockerignore']);
    expect(round.exists('apps/api/Dockerfile.dockerignore')).toBe(true);
    expect(round.kind!('apps/api/Dockerfile.dockerignore')).toBe('file');
    expect(round.exists('apps/api/other.dockerignore')).toBe(false);
    expect(round.kind!('apps/api/src')).toBe('directory');
  });
});
