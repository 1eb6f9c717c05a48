import { minimatch } from 'minimatch';
import { DEFAULT_SKIP_DOCKERFILES } from '../config/options';
import { isSkipped } from './dockerfile-files';

const PATHS = [
  'Dockerfile',
  'apps/api/Dockerfile',
  'apps/api/Dockerfile.dev',
  'node_modules/x/Dockerfile',
  'a/node_modules/b/Dockerfile',
  'dist/Dockerfile',
  'apps/dist-tools/Dockerfile',
  '.nx/cache/Dockerfile',
  'gui/Dockerfile copy.gui-tor-manager',
  'gui/Dockerfile.ref',
  'x/Dockerfile.bak',
  'x/Dockerfile.orig',
  'tools/gen/files/__tmpl__Dockerfile',
  'tests/__fixtures__/Dockerfile',
  'tmp/Dockerfile',
  'apps/tmp/x/Dockerfile',
  '.git/Dockerfile',
  'apps/.lucid/Dockerfile',
  'apps/.hidden/Dockerfile',
  'infrastructure/containers/sessions/Dockerfile.session-recorder',
];

describe('isSkipped (skip globs compiled once)', () => {
  it.each([
    ['the default skip list', DEFAULT_SKIP_DOCKERFILES],
    ['a custom one with a negation and a brace set', ['**/gui/**', '!apps/**', '**/*.{bak,orig}']],
  ])('answers as minimatch does, path by path, for %s', (_, skip) => {
    for (const path of PATHS) {
      expect({ path, skipped: isSkipped(path, skip) }).toEqual({
        path,
        skipped: skip.some((g) => minimatch(path, g, { dot: true })),
      });
    }
  });

  it('the default list skips copies, references, node_modules and dist, and keeps services', () => {
    const skipped = PATHS.filter((p) => isSkipped(p, DEFAULT_SKIP_DOCKERFILES));
    expect(skipped).toEqual(
      expect.arrayContaining(['node_modules/x/Dockerfile', 'gui/Dockerfile copy.gui-tor-manager']),
    );
    expect(skipped).not.toContain('apps/api/Dockerfile.dev');
  });
});
