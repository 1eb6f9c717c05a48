/**
 * Build benchmark: `nx run-many -t container-build` over every service of the workspace (a throwaway copy),
 * cold (empty Nx cache, real buildah builds) then warm (all from the Nx cache), and the bytes each service's
 * cached outputs take (oci/ + metadata.json). The distroless base is replaced by the small test base pushed
 * to a local registry under the gcr.io mirror path, so the bench needs no network.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pushTestBase } from '../nx-lucid/e2e/support/base-image';
import { startRegistry } from '../nx-lucid/e2e/support/registry';
import { createWorkspace } from '../nx-lucid/e2e/support/workspace';
import { engineSecondsPerService } from './buildx-bench';
import { timedBuild } from './timed-build';

export interface BuildBenchResult {
  services: number;
  parallel: number;
  coldSeconds: number;
  warmSeconds: number;
  /** cold / warm. */
  ratio: number;
  cacheBytes: Record<string, number>;
  totalCacheBytes: number;
  /** buildah engine seconds per service in the cold run (beside buildx-bench's). */
  coldEngineSeconds: Record<string, number>;
}

function bytesUnder(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, e) => n + bytesUnder(join(path, e)), 0);
}

export async function benchBuild(
  opts: { parallel?: number; log?: (line: string) => void } = {},
): Promise<BuildBenchResult> {
  const parallel = opts.parallel ?? 2;
  const log = opts.log ?? (() => undefined);
  const registry = await startRegistry();
  const ws = await createWorkspace({ apps: 'all', libs: 'all' });
  try {
    await pushTestBase(registry.host, 'mirror/gcr.io/distroless/python3-debian12', 'nonroot');
    const env = {
      NX_SKIP_NX_CACHE: 'false',
      LUCID_ENGINE: 'buildah',
      LUCID_REGISTRY_MIRRORS: `gcr.io=${registry.host}/mirror/gcr.io`,
      LUCID_INSECURE_REGISTRIES: registry.host,
    };
    const run = async (label: string) => {
      const r = await timedBuild(ws, env, parallel, label);
      log(`${label}: ${r.seconds.toFixed(1)}s`);
      output = r.output;
      return r.seconds;
    };
    let output = '';
    const coldSeconds = await run('cold');
    const coldEngineSeconds = engineSecondsPerService(output);
    const warmSeconds = await run('warm');
    const dist = join(ws.root, 'dist/containers');
    const cacheBytes: Record<string, number> = {};
    for (const service of readdirSync(dist).sort())
      cacheBytes[service] = bytesUnder(join(dist, service, 'oci')) + bytesUnder(join(dist, service, 'metadata.json'));
    const totalCacheBytes = Object.values(cacheBytes).reduce((a, b) => a + b, 0);
    return {
      services: Object.keys(cacheBytes).length,
      parallel,
      coldSeconds: Number(coldSeconds.toFixed(2)),
      warmSeconds: Number(warmSeconds.toFixed(2)),
      ratio: Number((coldSeconds / warmSeconds).toFixed(1)),
      cacheBytes,
      totalCacheBytes,
      coldEngineSeconds,
    };
  } finally {
    ws.dispose();
    await registry.stop();
  }
}

if (require.main === module) {
  benchBuild({ log: (l) => console.log(`  ${l}`) })
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
