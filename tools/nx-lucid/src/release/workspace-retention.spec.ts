import { runRetention } from '../../bin/lucid';

describe('lucid prune | usage', () => {
  it('a bad argument is refused before the graph or any registry is read', async () => {
    await expect(runRetention('prune', ['--bogus'], '/nonexistent')).rejects.toThrow(
      /unknown or empty argument "--bogus"\nusage: lucid prune\|usage/,
    );
    await expect(runRetention('usage', ['--projects='], '/nonexistent')).rejects.toThrow(/unknown or empty argument/);
    // "all" is a release action's multi-registry form, not a host to prune.
    await expect(runRetention('prune', ['--registry=all'], '/nonexistent')).rejects.toThrow(
      /--registry=all is not supported by lucid prune/,
    );
  });
});
