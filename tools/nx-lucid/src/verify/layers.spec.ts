import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sha256Digest } from '../oci/digest';
import { layerEntriesOnce, readLayerEntries } from './layers';
import { packLayer } from './testing/layer-builder';

describe('layer walk', () => {
  it('streams gzip and plain tars to the same headers, and names the layer of a bad archive', async () => {
    const entries = [
      { name: 'app/', type: 'directory' as const },
      { name: 'app/main.py', content: 'print(1)' },
    ];
    const [gz, plain] = [await packLayer(entries), await packLayer(entries, false)];
    const names = (await readLayerEntries(gz, sha256Digest(gz))).map((e) => e.name);
    expect(names).toEqual(['app/', 'app/main.py']);
    expect((await readLayerEntries(plain, sha256Digest(plain))).map((e) => e.name)).toEqual(names);
    const broken = Buffer.concat([gz.subarray(0, 20), Buffer.alloc(40, 1)]);
    await expect(readLayerEntries(broken, 'sha256:bad')).rejects.toThrow(/layer sha256:bad is not a readable tar/);
  });

  it('walks a layer file once per process: the same file and digest again reads nothing', async () => {
    const gz = await packLayer([{ name: 'etc/os-release', content: 'ID=debian' }]);
    const digest = sha256Digest(gz);
    let reads = 0;
    const read = () => (reads++, gz);
    const first = await layerEntriesOnce('/store/sha256/x', digest, read);
    expect(await layerEntriesOnce('/store/sha256/x', digest, read)).toBe(first);
    expect(reads).toBe(1);
    // Another file claiming the same digest is read (and checked by its layout) on its own.
    await layerEntriesOnce('/other/layout/blobs/sha256/x', digest, read);
    expect(reads).toBe(2);
  });
});

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
  let readEntries: typeof readLayerEntries;
  beforeAll(() => {
    // A fresh registry per major, kept for the tests: readable-stream (tar-stream 2) requires lazily, so an
    // isolateModules() callback would end before those requires and they would load a second copy.
    jest.resetModules();
    jest.doMock('tar-stream', () => jest.requireActual(tarStreamPath));
    readEntries = require('./layers').readLayerEntries;
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
    expect(await readEntries(layer, 'sha256:l')).toEqual([
      { name: 'etc/', type: 'directory', linkname: null },
      { name: 'etc/passwd', type: 'file', linkname: null },
      { name: long, type: 'file', linkname: null },
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
      { name: 'etc/.wh.shadow', type: 'file', linkname: null },
    ]);
  });

  it('an uncompressed layer reads the same; an empty one has no entries', async () => {
    const layer = await packLayer([{ name: 'app/main.py', content: 'print(1)\n' }], false);
    expect((await readEntries(layer, 'sha256:p')).map((e) => e.name)).toEqual(['app/main.py']);
    expect(await readEntries(await packLayer([]), 'sha256:e')).toEqual([]);
  });

  it('a broken gzip stream and a blob that is not a tar archive are errors naming the layer', async () => {
    const gz = await packLayer([{ name: 'app/main.py', content: 'print(1)' }]);
    const broken = Buffer.concat([gz.subarray(0, 20), Buffer.alloc(40, 1)]);
    await expect(readEntries(broken, 'sha256:gz')).rejects.toThrow(/^layer sha256:gz is not a readable tar archive: /);
    const garbage = Buffer.alloc(1024, 0x41);
    await expect(readEntries(garbage, 'sha256:bad')).rejects.toThrow(
      /^layer sha256:bad is not a readable tar archive: /,
    );
  });
});
