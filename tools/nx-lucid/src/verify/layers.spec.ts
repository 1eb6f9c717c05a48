import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packLayer } from './testing/layer-builder';

/**
 * readLayerEntries against both tar-stream majors its range admits: 3 (this workspace's) and 2 (the copy Nx
 * installs, which the published plugin dedupes with). The layers are packed once, with the workspace's copy.
 */
const versionOf = (main: string) => JSON.parse(readFileSync(join(dirname(main), 'package.json'), 'utf8')).version;
const NX_TAR_STREAM = require.resolve('tar-stream', { paths: [dirname(require.resolve('nx/package.json'))] });
const OWN_TAR_STREAM = require.resolve('tar-stream');
const majors: Array<[string, string]> = [
  [`tar-stream ${versionOf(OWN_TAR_STREAM)}`, OWN_TAR_STREAM],
  [`tar-stream ${versionOf(NX_TAR_STREAM)} (Nx's)`, NX_TAR_STREAM],
];

describe.each(majors)('readLayerEntries with %s', (_label, tarStreamPath) => {
  let readLayerEntries: typeof import('./layers').readLayerEntries;
  beforeAll(() => {
    // A fresh registry per major, kept for the tests: readable-stream (tar-stream 2) requires lazily, so an
    // isolateModules() callback would end before those requires and they would load a second copy.
    jest.resetModules();
    jest.doMock('tar-stream', () => jest.requireActual(tarStreamPath));
    readLayerEntries = require('./layers').readLayerEntries;
  });
  afterAll(() => jest.dontMock('tar-stream'));

  it('lists every header in archive order, long names and links included, contents skipped', async () => {
    const long = `usr/share/${'deep/'.repeat(30)}file.txt`;
    const layer = await packLayer([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/passwd', content: 'root:x:0:0::/root:/sbin/nologin\n'.repeat(200) },
      { name: long, content: 'x' },
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
      { name: 'etc/.wh.shadow' },
    ]);
    expect(await readLayerEntries(layer, 'sha256:l')).toEqual([
      { name: 'etc/', type: 'directory', linkname: null },
      { name: 'etc/passwd', type: 'file', linkname: null },
      { name: long, type: 'file', linkname: null },
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
      { name: 'etc/.wh.shadow', type: 'file', linkname: null },
    ]);
  });

  it('an uncompressed layer reads the same; an empty one has no entries', async () => {
    const layer = await packLayer([{ name: 'app/main.py', content: 'print(1)\n' }], false);
    expect((await readLayerEntries(layer, 'sha256:p')).map((e) => e.name)).toEqual(['app/main.py']);
    expect(await readLayerEntries(await packLayer([]), 'sha256:e')).toEqual([]);
  });

  it('a blob that is not a tar archive is an error naming the layer', async () => {
    const garbage = Buffer.alloc(1024, 0x41);
    await expect(readLayerEntries(garbage, 'sha256:bad')).rejects.toThrow(
      /^layer sha256:bad is not a readable tar archive: /,
    );
  });
});
