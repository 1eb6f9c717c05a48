import { indexRoots, ProjectRoot } from './root-index';

/** The scan over every root that the index replaces: the index must answer exactly as it did. */
function byScan(path: string, roots: ProjectRoot[]): string[] {
  const real = roots.filter((r) => r.root !== '.' && r.root !== '');
  let owner: ProjectRoot | undefined;
  for (const r of real) {
    if ((path === r.root || path.startsWith(`${r.root}/`)) && (!owner || r.root.length > owner.root.length)) owner = r;
  }
  const below = real.filter((r) => r.root.startsWith(`${path}/`)).map((r) => r.name);
  return [...new Set([...(owner ? [owner.name] : []), ...below])];
}

describe('indexRoots', () => {
  const roots: ProjectRoot[] = [
    { name: 'z-last', root: 'apps/z' },
    { name: 'a', root: 'apps/a' },
    { name: 'a-sub', root: 'apps/a/sub' },
    { name: 'a-dash', root: 'apps/a-b' },
    { name: 'variant', root: 'apps/a/Dockerfile.worker' },
    { name: 'lib', root: 'libs/lib' },
    { name: 'rootproj', root: '.' },
  ];
  const paths = [
    'apps/a/sub/x.py',
    'apps',
    'apps/',
    'apps/a',
    'apps/a/',
    'apps/a-b/x',
    'libs/lib/src/',
    'tools/x.sh',
    'apps/a/Dockerfile.worker',
    'a',
    'apps/a/sub',
  ];

  it.each(paths)('answers %s as the scan over every root does', (path) => {
    expect(indexRoots(roots).ownerAndBelow(path)).toEqual(byScan(path, roots));
  });

  it('keeps the given order, not the sorted one, and leaves out a workspace-root project', () => {
    expect(indexRoots(roots).ownerAndBelow('apps')).toEqual(['z-last', 'a', 'a-sub', 'a-dash', 'variant']);
    expect(indexRoots(roots).real.map((r) => r.name)).not.toContain('rootproj');
  });

  it('agrees with the scan on 1000 generated roots', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({
      name: `s${i}`,
      root: `apps/g${i % 7}/svc-${i}${i % 5 === 0 ? '/nested' : ''}`,
    }));
    for (const path of [
      'apps',
      'apps/g3',
      'apps/g3/svc-10',
      'apps/g0/svc-10/nested/src/x',
      'apps/g1/svc-1/src',
      'libs',
    ]) {
      expect(indexRoots(many).ownerAndBelow(path)).toEqual(byScan(path, many));
    }
  });
});
