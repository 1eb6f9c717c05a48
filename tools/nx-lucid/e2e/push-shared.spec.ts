/**
 * Concurrent pushes of services built on one base, into an empty registry: each distinct blob is uploaded
 * once (one push takes the per-registry, per-digest lock in .lucid/ and uploads; the others wait, then mount).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPush } from '../src/nx/executors/push/executor';
import { startFaultProxy } from './support/fault-proxy';
import { makeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';
import { executorContext, findIncompleteTags, skopeoManifest } from './support/registry-check';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const env = { GITHUB_SHA: undefined, GITHUB_REF_NAME: undefined, GHCR_TOKEN: undefined, GITHUB_TOKEN: undefined };

describe('concurrent pushes sharing a base', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
  });
  afterAll(async () => reg?.stop());

  it('upload each shared blob once per registry', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lucid-shared-'));
    const base = randomBytes(4 * 1048576);
    const names = ['svc-a', 'svc-b', 'svc-c', 'svc-d', 'svc-e'];
    const made = names.map((project) =>
      makeLayout({ project, root, sharedLayer: base, layerBytes: 64 * 1024, platforms: ['linux/amd64'] }),
    );
    const proxy = await startFaultProxy({ upstreamPort: Number(reg.host.split(':')[1]) });
    try {
      const results = await Promise.all(
        made.map((m, i) =>
          runPush(
            { outputPath: m.outputPath, registry: proxy.host, repository: 'hamigames/lucid', sha: SHA },
            executorContext(root, names[i], { siblings: names.filter((n) => n !== names[i]) }),
            { env, log: () => undefined },
          ),
        ),
      );
      const distinct = base.length + made.reduce((n, m) => n + m.metadata.compressedSize - base.length, 0);
      const uploaded = results.reduce((n, r) => n + r.blobs.uploadedBytes, 0);
      // The base went up once; every other push mounted it (or found it there).
      expect(uploaded).toBe(distinct);
      expect(proxy.bytesForwarded()).toBeLessThan(distinct + 1048576);
      expect(results.filter((r) => r.blobs.uploaded > 0 && r.blobs.uploadedBytes >= base.length)).toHaveLength(1);
      for (const [i, m] of made.entries())
        expect((await skopeoManifest(reg.host, `hamigames/lucid/${names[i]}:${SHA}`)).digest).toBe(
          m.metadata.index.digest,
        );
      expect(await findIncompleteTags(reg.url)).toEqual([]);
    } finally {
      await proxy.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
