/**
 * buildx beside buildah: `nx run-many -t container-build --skip-nx-cache` of every service with real BuildKit
 * (buildkitd from ../shared/tools/buildkit, remote-driver builder), cold (fresh BuildKit state) then warm (the
 * same state: BuildKit's own cache, not Nx's). Per service, the engine time the build executor logs
 * ("[svc] buildx build linux/amd64 done in 3.2s", summed over platforms), and the wall time of each run.
 */
import { pushTestBase } from '../nx-lucid/e2e/support/base-image';
import { startBuildkit } from '../nx-lucid/e2e/support/buildkit';
import { startRegistry } from '../nx-lucid/e2e/support/registry';
import { createWorkspace } from '../nx-lucid/e2e/support/workspace';
import { timedBuild } from './timed-build';

export interface BuildxBenchResult {
  services: number;
  parallel: number;
  coldSeconds: number;
  warmSeconds: number;
  /** Engine seconds per service (all platforms), cold and warm. */
  perService: Record<string, { cold: number; warm: number }>;
}

/** "[svc] buildx build linux/arm64 done in 3.2s" lines → seconds per service. */
export function engineSecondsPerService(output: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of output.matchAll(/\[([a-z0-9-]+)\] buildx build \S+ done in ([0-9.]+)s/g))
    out[m[1]] = Number(((out[m[1]] ?? 0) + Number(m[2])).toFixed(2));
  return out;
}

export async function benchBuildx(
  opts: { parallel?: number; apps?: string[] | 'all'; log?: (line: string) => void } = {},
): Promise<BuildxBenchResult> {
  const parallel = opts.parallel ?? 2;
  const log = opts.log ?? (() => undefined);
  const registry = await startRegistry();
  let buildkit: Awaited<ReturnType<typeof startBuildkit>> | undefined;
  const ws = await createWorkspace({ apps: opts.apps ?? 'all', libs: 'all' });
  try {
    buildkit = await startBuildkit(registry);
    await pushTestBase(registry.host, 'mirror/gcr.io/distroless/python3-debian12', 'nonroot');
    const env = {
      ...buildkit.env,
      NX_SKIP_NX_CACHE: 'true',
      LUCID_ENGINE: 'buildx',
      // The SBOM scanner image is on docker.io, which is not reachable here.
      LUCID_ATTESTATIONS: 'provenance',
      LUCID_REGISTRY_MIRRORS: `gcr.io=${registry.host}/mirror/gcr.io`,
      LUCID_INSECURE_REGISTRIES: registry.host,
    };
    const run = async (label: string) => {
      const r = await timedBuild(ws, env, parallel, `buildx ${label}`);
      log(`buildx ${label}: ${r.seconds.toFixed(1)}s`);
      return { seconds: r.seconds, perService: engineSecondsPerService(r.output) };
    };
    const cold = await run('cold');
    const warm = await run('warm');
    const perService: BuildxBenchResult['perService'] = {};
    for (const svc of Object.keys(cold.perService).sort())
      perService[svc] = { cold: cold.perService[svc], warm: warm.perService[svc] ?? NaN };
    return {
      services: Object.keys(perService).length,
      parallel,
      coldSeconds: Number(cold.seconds.toFixed(2)),
      warmSeconds: Number(warm.seconds.toFixed(2)),
      perService,
    };
  } finally {
    await buildkit?.stop();
    ws.dispose();
    await registry.stop();
  }
}
