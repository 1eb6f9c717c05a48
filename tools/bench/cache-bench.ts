/**
 * Caching at workspace scale, in one throwaway copy of the workspace and one local registry (the test base on the
 * gcr.io mirror path) plus the e2e stand-in of Nx's self-hosted remote cache:
 *   1. clone A: cold `container-build` of every service (real buildah), writing the remote cache: per service the
 *      Nx task time (Nx's run.json), its Nx cache entry bytes, the bytes its output stores (what it adds: index,
 *      manifests, configs, own layers) and the image's full compressed size;
 *   2. clone A: `container-push` of every service to the registry, then the same again warm (a no-op: nothing to
 *      upload), timed, with the bytes the warm run uploaded;
 *   3. clone B (git clone, empty Nx cache, empty blob store): `container-build` of every service from the remote
 *      cache, timed, with the bytes the cache server sent and its hit count.
 * Reported, never asserted.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../nx-lucid/src/boundary/process';
import { pushTestBase } from '../nx-lucid/e2e/support/base-image';
import { startRegistry } from '../nx-lucid/e2e/support/registry';
import { startRemoteCacheServer } from '../nx-lucid/e2e/support/remote-cache-server';
import { createWorkspace, NX_ENV, WORKSPACE_ROOT } from '../nx-lucid/e2e/support/workspace';
import { buildPlugin } from './graph-bench';

export interface CacheBenchService {
  /** Nx task time of the cold container-build (run.json start → end). */
  coldBuildSeconds: number;
  /** The task's entry in the local Nx cache (outputs + terminal output). */
  nxCacheBytes: number;
  /** What the build output stores: index, manifests, configs and the service's own layers. */
  ownBlobBytes: number;
  /** The whole image (every platform), base layers included. */
  imageBytes: number;
}

export interface CacheBenchResult {
  services: number;
  parallel: number;
  perService: Record<string, CacheBenchService>;
  totalNxCacheBytes: number;
  coldBuildSeconds: number;
  remoteRestore: { seconds: number; hits: number; bytesDownloaded: number };
  push: { firstSeconds: number; firstUploadedBytes: number; warmSeconds: number; warmUploadedBytes: number };
}

interface RunTask {
  projectName: string;
  target: string;
  hash: string;
  startTime: string;
  endTime: string;
}

function bytesUnder(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, e) => n + bytesUnder(join(path, e)), 0);
}

const seconds = (t: bigint) => Number((Number(process.hrtime.bigint() - t) / 1e9).toFixed(2));

/** Sum of uploadedBytes over every service's push.json. */
function uploadedBytes(root: string, services: string[]): number {
  return services.reduce((n, s) => {
    const file = join(root, 'dist/containers', s, 'push.json');
    return (
      n + (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { uploadedBytes: number }).uploadedBytes : 0)
    );
  }, 0);
}

export async function benchCache(
  opts: { parallel?: number; apps?: string[] | 'all'; log?: (line: string) => void } = {},
): Promise<CacheBenchResult> {
  const parallel = opts.parallel ?? 2;
  const log = opts.log ?? (() => undefined);
  // The workspace copy loads the compiled plugin and executors, as this workspace does: timings of the real path.
  buildPlugin();
  const token = `bench-${randomBytes(8).toString('hex')}`;
  const [registry, cache] = await Promise.all([startRegistry(), startRemoteCacheServer({ token })]);
  const ws = await createWorkspace({ apps: opts.apps ?? 'all', libs: 'all', compiledPlugin: true });
  const b = `${ws.root}-clone-b`;
  try {
    await pushTestBase(registry.host, 'mirror/gcr.io/distroless/python3-debian12', 'nonroot');
    const env = (root: string): NodeJS.ProcessEnv => ({
      ...process.env,
      ...NX_ENV,
      NX_SKIP_NX_CACHE: 'false',
      NX_CACHE_DIRECTORY: join(root, 'nx-cache'),
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: cache.url,
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token,
      LUCID_ENGINE: 'buildah',
      LUCID_BLOB_STORE: join(root, 'blobs'),
      LUCID_REGISTRY: registry.host,
      LUCID_REPOSITORY: 'bench/lucid',
      LUCID_REGISTRY_MIRRORS: `gcr.io=${registry.host}/mirror/gcr.io`,
      LUCID_INSECURE_REGISTRIES: registry.host,
      GITHUB_SHA: 'b'.repeat(40),
    });
    const nx = async (root: string, label: string, args: string[]) => {
      const started = process.hrtime.bigint();
      const r = await runProcess(join(WORKSPACE_ROOT, 'node_modules/.bin/nx'), [...args, '--outputStyle=static'], {
        cwd: root,
        env: env(root),
        allowFailure: true,
      });
      const took = seconds(started);
      if (r.exitCode !== 0) throw new Error(`${label} failed:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
      log(`${label}: ${took}s`);
      return took;
    };
    const runMany = (target: string, extra: string[] = []) => [
      'run-many',
      '-t',
      target,
      '--projects=tag:type:service',
      `--parallel=${parallel}`,
      ...extra,
    ];

    const coldBuildSeconds = await nx(ws.root, 'clone A: cold container-build', runMany('container-build'));
    const run = JSON.parse(readFileSync(join(ws.root, 'nx-cache/run.json'), 'utf8')) as { tasks: RunTask[] };
    const builds = run.tasks.filter((t) => t.target === 'container-build');
    const services = builds.map((t) => t.projectName).sort();
    const perService: Record<string, CacheBenchService> = {};
    for (const t of builds) {
      const layout = join(ws.root, 'dist/containers', t.projectName, 'oci');
      const meta = JSON.parse(readFileSync(join(ws.root, 'dist/containers', t.projectName, 'metadata.json'), 'utf8'));
      perService[t.projectName] = {
        coldBuildSeconds: Number(((Date.parse(t.endTime) - Date.parse(t.startTime)) / 1000).toFixed(2)),
        nxCacheBytes:
          bytesUnder(join(ws.root, 'nx-cache', t.hash)) + bytesUnder(join(ws.root, 'nx-cache/terminalOutputs', t.hash)),
        ownBlobBytes: bytesUnder(join(layout, 'blobs')),
        imageBytes: Number(meta.compressedSize ?? 0),
      };
    }

    // Without Trivy the gate's scan cannot run: push alone, as the main job does then.
    const push = runMany('container-push', ['--excludeTaskDependencies']);
    const firstSeconds = await nx(ws.root, 'clone A: first container-push', push);
    const firstUploadedBytes = uploadedBytes(ws.root, services);
    const warmSeconds = await nx(ws.root, 'clone A: warm no-op container-push', push);
    const warmUploadedBytes = uploadedBytes(ws.root, services);

    await runProcess('git', ['clone', '-q', ws.root, b]);
    symlinkSync(join(WORKSPACE_ROOT, 'node_modules'), join(b, 'node_modules'), 'dir');
    const before = { hits: cache.stats.hits, bytes: cache.stats.bytesServed };
    const restoreSeconds = await nx(b, 'clone B: container-build from the remote cache', runMany('container-build'));

    return {
      services: services.length,
      parallel,
      perService,
      totalNxCacheBytes: Object.values(perService).reduce((n, s) => n + s.nxCacheBytes, 0),
      coldBuildSeconds,
      remoteRestore: {
        seconds: restoreSeconds,
        hits: cache.stats.hits - before.hits,
        bytesDownloaded: cache.stats.bytesServed - before.bytes,
      },
      push: { firstSeconds, firstUploadedBytes, warmSeconds, warmUploadedBytes },
    };
  } finally {
    ws.dispose();
    await runProcess('rm', ['-rf', b]);
    await Promise.all([registry.stop(), cache.stop()]);
  }
}

if (require.main === module) {
  benchCache({ log: (l) => console.log(`  ${l}`) })
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
