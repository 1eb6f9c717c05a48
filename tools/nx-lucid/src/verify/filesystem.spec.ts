import { LayeredFilesystem, normalizeEntryPath } from './filesystem';

describe('normalizeEntryPath', () => {
  it.each([
    ['./bin/sh', '/bin/sh'],
    ['bin/', '/bin'],
    ['/usr//bin/apt', '/usr/bin/apt'],
    ['./', '/'],
    ['../etc/passwd', undefined],
  ])('%s -> %s', (input, expected) => expect(normalizeEntryPath(input)).toBe(expected));
});

describe('LayeredFilesystem', () => {
  it('a .wh. entry removes the path and everything under it from lower layers', () => {
    const fs = new LayeredFilesystem();
    fs.applyLayer('L1', [{ name: 'bin/', type: 'directory' }, { name: 'bin/sh' }, { name: 'usr/lib/x/a' }]);
    fs.applyLayer('L2', [{ name: 'bin/.wh.sh' }, { name: 'usr/lib/.wh.x' }]);
    expect(fs.get('/bin/sh')).toBeUndefined();
    expect(fs.get('/usr/lib/x/a')).toBeUndefined();
    expect(fs.get('/usr/lib/x')).toBeUndefined();
    expect(fs.get('/bin')?.kind).toBe('directory');
  });

  it('a whiteout does not hide an entry of its own layer, and a later layer can re-add the path', () => {
    const fs = new LayeredFilesystem();
    fs.applyLayer('L1', [{ name: 'bin/sh' }]);
    // Order inside the layer does not matter: whiteouts apply to lower layers only.
    fs.applyLayer('L2', [{ name: 'bin/sh' }, { name: 'bin/.wh.sh' }]);
    expect(fs.get('/bin/sh')?.layer).toBe('L2');
    fs.applyLayer('L3', [{ name: 'bin/.wh.sh' }]);
    expect(fs.get('/bin/sh')).toBeUndefined();
    fs.applyLayer('L4', [{ name: 'bin/sh' }]);
    expect(fs.get('/bin/sh')?.layer).toBe('L4');
  });

  it('an opaque whiteout empties the directory of lower-layer entries but keeps its own layer', () => {
    const fs = new LayeredFilesystem();
    fs.applyLayer('L1', [{ name: 'bin/sh' }, { name: 'bin/ls' }, { name: 'etc/passwd' }]);
    fs.applyLayer('L2', [{ name: 'bin/', type: 'directory' }, { name: 'bin/app' }, { name: 'bin/.wh..wh..opq' }]);
    expect(fs.paths()).toEqual(['/bin', '/bin/app', '/etc', '/etc/passwd']);
  });

  it('replacing a directory by a symlink drops what was under the directory', () => {
    const fs = new LayeredFilesystem();
    fs.applyLayer('L1', [{ name: 'bin/sh' }, { name: 'usr/bin/env' }]);
    fs.applyLayer('L2', [{ name: 'bin', type: 'symlink', linkname: 'usr/bin' }]);
    expect(fs.get('/bin/sh')).toBeUndefined();
    expect(fs.lookup('/bin/env')?.resolvedPath).toBe('/usr/bin/env');
  });

  it('lookup follows symlinked parents (absolute, relative, ..) but reports the final symlink itself', () => {
    const fs = new LayeredFilesystem();
    fs.applyLayer('L1', [
      { name: 'usr/bin/busybox' },
      { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
      { name: 'usr/bin/sh', type: 'symlink', linkname: 'busybox' },
      { name: 'sbin', type: 'symlink', linkname: '/usr/../usr/bin' },
      { name: 'loop', type: 'symlink', linkname: 'loop' },
    ]);
    const hit = fs.lookup('/bin/sh');
    expect(hit?.entry).toMatchObject({ kind: 'symlink', linkname: 'busybox', layer: 'L1' });
    expect(hit?.resolvedPath).toBe('/usr/bin/sh');
    expect(hit?.via.map((v) => v.path)).toEqual(['/bin']);
    expect(fs.lookup('/sbin/busybox')?.resolvedPath).toBe('/usr/bin/busybox');
    expect(fs.lookup('/loop/x')).toBeUndefined();
    expect(fs.lookup('/usr/bin/bash')).toBeUndefined();
  });

  it('hard links are entries of their own and keep their target', () => {
    const fs = new LayeredFilesystem();
    fs.applyLayer('L1', [{ name: 'bin/busybox' }, { name: 'bin/sh', type: 'link', linkname: 'bin/busybox' }]);
    fs.applyLayer('L2', [{ name: 'bin/.wh.busybox' }]);
    expect(fs.lookup('/bin/sh')?.entry).toMatchObject({ kind: 'hardlink', linkname: '/bin/busybox' });
  });

  it('creates parent directories a layer omits', () => {
    const fs = new LayeredFilesystem();
    fs.applyLayer('L1', [{ name: './app/lib/x.py' }]);
    expect(fs.paths()).toEqual(['/app', '/app/lib', '/app/lib/x.py']);
  });
});
