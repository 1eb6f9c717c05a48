import { logger } from '@nx/devkit';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWhenAvailable, LUCID_TREE_TARBALL, lucidTreeRequirement } from './support/external-requirements';
import { graphPass, pluginFilesIn } from './support/graph-pass';

/**
 * The graph cache on the real Lucid tree (HamiGames/Lucid at 29c889df, extracted to a temp folder): a warm pass
 * (every entry from the cache) gives the same nodes and edges as a cold one. In-process, a few seconds.
 */
describeWhenAvailable([lucidTreeRequirement])('graph cache on the Lucid tree', () => {
  let root: string;
  let dataDir: string;
  const savedDataDir = process.env.NX_WORKSPACE_DATA_DIRECTORY;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'lucid-tree-graph-cache-'));
    dataDir = mkdtempSync(join(tmpdir(), 'lucid-tree-graph-cache-data-'));
    process.env.NX_WORKSPACE_DATA_DIRECTORY = dataDir;
    const untar = spawnSync('tar', ['-xzf', LUCID_TREE_TARBALL, '-C', root], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`extracting ${LUCID_TREE_TARBALL} failed: ${untar.stderr}`);
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
    if (savedDataDir === undefined) delete process.env.NX_WORKSPACE_DATA_DIRECTORY;
    else process.env.NX_WORKSPACE_DATA_DIRECTORY = savedDataDir;
    jest.restoreAllMocks();
  });

  it('a warm pass returns exactly what a cold pass returns', async () => {
    const files = pluginFilesIn(root);
    const options = { registry: 'ghcr.io', repository: 'hamigames/lucid' };
    const cold = await graphPass(root, files, options);
    expect(Object.keys(cold.nodes).length).toBeGreaterThan(100);
    expect(cold.deps.length).toBeGreaterThan(0);
    const warm = await graphPass(root, files, options);
    expect(warm).toEqual(cold);
  });
});
