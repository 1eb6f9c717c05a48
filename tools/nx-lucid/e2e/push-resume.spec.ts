/**
 * A push whose registry is killed after 32 MiB of a 64 MiB layer, restarted on the same data: the rerun
 * resumes the upload session the registry kept (GET its URL for the offset, PATCH from there) and sends
 * less than 40 MiB for it, measured at the proxy in front of the registry. The image lands whole.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPush } from '../src/nx/executors/push/executor';
import { startFaultProxy } from './support/fault-proxy';
import { makeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';
import { executorContext, findIncompleteTags, skopeoManifest } from './support/registry-check';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const env = { GITHUB_SHA: undefined, GITHUB_REF_NAME: undefined, GHCR_TOKEN: undefined, GITHUB_TOKEN: undefined };
const MiB = 1048576;

describe('container-push resumes an upload a crash interrupted', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
  });
  afterAll(async () => reg?.stop());

  it('the registry killed after 32 of 64 MiB and restarted: the rerun sends < 40 MiB for that blob', async () => {
    const made = makeLayout({ project: 'big-service', platforms: ['linux/amd64'], layerBytes: 64 * MiB });
    let patches = 0;
    let killed = false;
    const proxy = await startFaultProxy({
      upstreamPort: Number(reg.host.split(':')[1]),
      onRequest: async ({ method, path }) => {
        // Chunks are 16 MiB: the third PATCH would carry bytes 32-48 MiB. Kill before it reaches the registry.
        if (method === 'PATCH' && /\/blobs\/uploads\//.test(path) && ++patches === 3 && !killed) {
          killed = true;
          await reg.kill();
        }
      },
    });
    try {
      const ctx = executorContext(made.root, 'big-service');
      const opts = {
        outputPath: made.outputPath,
        registry: proxy.host,
        repository: 'hamigames/lucid',
        sha: SHA,
        retries: 1,
      };
      const lines: string[] = [];
      await expect(runPush(opts, ctx, { env, log: (l) => lines.push(l) })).rejects.toThrow();
      expect(killed).toBe(true);
      await reg.restart();

      const before = proxy.bytesForwarded();
      const rerun: string[] = [];
      const result = await runPush(opts, ctx, { env, log: (l) => rerun.push(l) });
      const sent = proxy.bytesForwarded() - before;
      expect(sent).toBeLessThan(40 * MiB);
      expect(result.blobs.resumedBytes).toBe(32 * MiB);
      expect(rerun.join('\n')).toMatch(/resumed at 32 MiB/);
      const record = JSON.parse(readFileSync(join(made.root, made.outputPath, 'push.json'), 'utf8'));
      expect(record.blobs.resumedBytes).toBe(32 * MiB);
      expect((await skopeoManifest(reg.host, `hamigames/lucid/big-service:${SHA}`)).digest).toBe(
        made.metadata.index.digest,
      );
      expect(await findIncompleteTags(reg.url)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
