/*
 * A shared remote cache across two clean clones of one commit, with Nx's real self-hosted cache client and a
 * third-party server of Nx's cache API (mavarazo/nx-cache from ../shared/tools/nx-cache-server:
 * support/nx-cache-server.ts; the suite skips with one line where it is absent). Clone A builds every service of the workspace (all of
 * apps/, 29) with buildah on the test base served at the distroless mirror path, and writes the cache; clone B,
 * with an empty local Nx cache, an empty blob store and a `buildah` that fails if started, gets every build from
 * the remote cache, pushes to a fresh repository uploading only the services' own blobs (base blobs mounted from
 * the mirror's base repository), and verifies every image. The access token is in no cache entry.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runProcess } from '../src/boundary/process';
import { runPush } from '../src/nx/executors/push/executor';
import verifyExecutor from '../src/nx/executors/verify/executor';
import { BLOB_STORE_ENV, DEFAULT_BLOB_STORE } from '../src/oci/blob-store';
import { readExternalBlobs } from '../src/oci/external-blobs';
import { pushTestBase } from './support/base-image';
import { startRegistry, TestRegistry } from './support/registry';
import { executorContext } from './support/registry-check';
import { describeWhenAvailable, nxCacheServerRequirement } from './support/external-requirements';
import { NxCacheServer, startNxCacheServer } from './support/nx-cache-server';
import { createWorkspace, NX_ENV, ThrowawayWorkspace, WORKSPACE_ROOT } from './support/workspace';

const SERVICES = readdirSync(join(WORKSPACE_ROOT, 'apps')).filter((a) =>
  existsSync(join(WORKSPACE_ROOT, 'apps', a, 'Dockerfile')),
);
// Made at run time, so the token is in no file (this spec is copied into the workspace) unless something wrote it.
const TOKEN = `lucid-cache-${randomBytes(12).toString('hex')}`;
const READ_TOKEN = `lucid-cache-read-${randomBytes(12).toString('hex')}`;
/** A hang guard, not a budget: 29 cold buildah builds on a loaded 2-core machine (load 12) take well over 20 minutes. */
jest.setTimeout(5_400_000);

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.name === 'node_modules' ? [] : e.isDirectory() ? files(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  );

describeWhenAvailable([nxCacheServerRequirement])('shared remote cache: two clean clones, one cache server', () => {
  let mirror: TestRegistry;
  let cache: NxCacheServer;
  let a: ThrowawayWorkspace;
  let b: string;
  const nxEnv = (root: string) => ({
    ...NX_ENV,
    NX_SKIP_NX_CACHE: 'false',
    NX_CACHE_DIRECTORY: join(root, 'nx-cache'),
    NX_SELF_HOSTED_REMOTE_CACHE_SERVER: cache.url,
    NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: TOKEN,
    LUCID_ENGINE: 'buildah',
    LUCID_REGISTRY_MIRRORS: `gcr.io=${mirror.host}/mirror/gcr.io`,
    LUCID_INSECURE_REGISTRIES: mirror.host,
  });

  beforeAll(async () => {
    [mirror, cache] = await Promise.all([startRegistry(), startNxCacheServer({ write: TOKEN, read: READ_TOKEN })]);
    await pushTestBase(mirror.host, 'mirror/gcr.io/distroless/python3-debian12', 'nonroot', 'remote');
    a = await createWorkspace({ apps: SERVICES, libs: 'all' });
    b = `${a.root}-clone-b`;
    await runProcess('git', ['clone', '-q', a.root, b]);
    symlinkSync(join(WORKSPACE_ROOT, 'node_modules'), join(b, 'node_modules'), 'dir');
  });
  afterAll(async () => {
    await Promise.all([mirror?.stop(), cache?.stop()]);
    a?.dispose();
    if (b) await runProcess('rm', ['-rf', b]);
  });

  it('clone A builds and writes the remote cache; clone B gets 100% remote hits, pushes only its own blobs and verifies', async () => {
    // The workspace's 29 services, every one of them (an empty list would make every check below vacuous).
    expect(SERVICES).toHaveLength(29);
    const built = await a.nx(
      ['run-many', '-t', 'container-build', '--parallel=2', '--outputStyle=static'],
      nxEnv(a.root),
    );
    if (built.exitCode !== 0) throw new Error(`clone A build failed:\n${built.stdout}\n${built.stderr}`);
    expect(cache.entries().size).toBe(SERVICES.length);

    // Clone B: no local cache, no blob store, and no working builder.
    expect(process.env[BLOB_STORE_ENV]).toBeUndefined();
    expect([existsSync(join(b, 'nx-cache')), existsSync(join(b, DEFAULT_BLOB_STORE))]).toEqual([false, false]);
    const bin = join(b, 'tmp/bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'buildah'), '#!/bin/sh\necho "buildah must not run in clone B" >&2\nexit 1\n');
    chmodSync(join(bin, 'buildah'), 0o755);
    const restored = await runProcess(
      join(WORKSPACE_ROOT, 'node_modules/.bin/nx'),
      ['run-many', '-t', 'container-build', '--parallel=2', '--outputStyle=static'],
      {
        cwd: b,
        env: { ...process.env, ...nxEnv(b), PATH: `${bin}:${process.env.PATH}` },
        allowFailure: true,
      },
    );
    const out = restored.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    if (restored.exitCode !== 0) throw new Error(`clone B build failed:\n${out}\n${restored.stderr}`);
    // Each task's own cache status, from the run.json Nx writes into NX_CACHE_DIRECTORY at the end of the run
    // (nx/src/tasks-runner/life-cycles/store-run-information-life-cycle): keyed by project, so a miss is named.
    const run = JSON.parse(readFileSync(join(b, 'nx-cache/run.json'), 'utf8')) as {
      tasks: { projectName: string; target: string; cacheStatus: string }[];
    };
    const statuses = run.tasks.filter((t) => t.target === 'container-build').map((t) => [t.projectName, t.cacheStatus]);
    expect(statuses.sort()).toEqual(SERVICES.map((s) => [s, 'remote-cache-hit']).sort());
    expect(cache.hits()).toBe(SERVICES.length);

    for (const s of SERVICES) {
      const pushed = await runPush(
        { outputPath: `dist/containers/${s}`, registry: mirror.host, repository: 'clone-b' },
        executorContext(b, s),
        { env: { GITHUB_SHA: 'e'.repeat(40) }, log: () => undefined },
      );
      const external = readExternalBlobs(join(b, 'dist/containers', s, 'oci'))!;
      expect(pushed.blobs.mounted).toBe(external.blobs.length);
      expect(pushed.blobs.uploaded).toBe(pushed.blobs.total - external.blobs.length);
      const verified = await verifyExecutor(
        {
          outputPath: `dist/containers/${s}`,
          repository: 'hamigames/lucid',
          platforms: ['linux/amd64', 'linux/arm64'],
        },
        { ...executorContext(b, s), targetName: 'container-verify' },
      );
      expect(verified.success).toBe(true);
    }

    // Nothing secret in a cache entry: not in what the server holds, nor in what either clone wrote.
    for (const [hash, body] of cache.entries())
      expect({ hash, leaked: gunzipSync(body).includes(TOKEN) }).toEqual({ hash, leaked: false });
    for (const root of [a.root, b]) {
      for (const f of files(root).filter((p) => statSync(p).size < 50 * 1048576))
        expect({ f, leaked: readFileSync(f).includes(TOKEN) }).toEqual({ f, leaked: false });
    }
  });
});
