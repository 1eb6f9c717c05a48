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
