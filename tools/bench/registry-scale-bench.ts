/**
 * Push at scale, against a real local docker-registry behind the fault proxy (which counts the bytes
 * clients really send): services sharing a base pushed in parallel to an empty registry (bytes uploaded vs
 * distinct content), the pre-push check's cost per GB, and a bounded loopback load run of many synthetic
 * single-layer images with injected faults, every tag then checked with skopeo. Reported, never asserted.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPush } from '../nx-lucid/src/nx/executors/push/executor';
import { OciLayout } from '../nx-lucid/src/oci/layout';
import { verifyPushSource } from '../nx-lucid/src/push/preflight';
import { readPushSource } from '../nx-lucid/src/push/push';
import { startFaultProxy } from '../nx-lucid/e2e/support/fault-proxy';
import { makeLayout, MadeLayout } from '../nx-lucid/e2e/support/make-layout';
import { startRegistry } from '../nx-lucid/e2e/support/registry';
import { executorContext, skopeoManifest } from '../nx-lucid/e2e/support/registry-check';

const ENV = { GITHUB_SHA: undefined, GITHUB_REF_NAME: undefined, GHCR_TOKEN: undefined, GITHUB_TOKEN: undefined };
const MB = 1048576;
const SHA = 'c'.repeat(40);

export interface FanOutResult {
  services: number;
  parallel: number;
  /** Registries pushed to at once (each gets every blob once, the same index). */
  registries: number;
  distinctBytes: number;
  /** Request body bytes the registry received (at the proxy). */
  bytesSent: number;
  ratio: number;
  seconds: number;
  retries: number;
}

export interface VerifyCostResult {
  bytes: number;
  ms: number;
  msPerGB: number;
}

export interface LoadResult {
  images: number;
  parallel: number;
  faultRate: number;
  faultsInjected: number;
  retries: number;
  failedPushes: number;
  /** Tags checked with skopeo that did not name the image's digest. */
  brokenTags: number;
  imagesPerSecond: number;
  p95PushMs: number;
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

function names(n: number, prefix: string): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
}

/**
 * N services on one base layer, pushed `parallel` at a time (as nx --parallel would) into `registryCount` empty
 * registries at once; the ratio is bytes sent over distinct content times the registry count.
 */
export async function benchFanOut(
  services = 29,
  parallel = 8,
  baseBytes = 48 * MB,
  appBytes = 2 * MB,
  registryCount = 1,
): Promise<FanOutResult> {
  const regs = await Promise.all(Array.from({ length: registryCount }, () => startRegistry()));
  const proxies = await Promise.all(
    regs.map((reg) => startFaultProxy({ upstreamPort: Number(reg.host.split(':')[1]) })),
  );
  const hosts = proxies.map((p) => p.host);
  const root = mkdtempSync(join(tmpdir(), 'lucid-fanout-'));
  try {
    const base = randomBytes(baseBytes);
    const projects = names(services, 'svc');
    const made = projects.map((project) =>
      makeLayout({ project, root, sharedLayer: base, layerBytes: appBytes, platforms: ['linux/amd64', 'linux/arm64'] }),
    );
    const distinctBytes = base.length + made.reduce((n, m) => n + m.metadata.compressedSize - base.length, 0);
    const t = process.hrtime.bigint();
    let retries = 0;
    await pool(
      made.map((m, i) => [m, projects[i]] as const),
      parallel,
      async ([m, project]) => {
        const log = (l: string) => (retries += l.includes('↻') ? 1 : 0);
        await runPush(
          {
            outputPath: m.outputPath,
            registry: hosts[0],
            ...(hosts.length > 1 ? { registries: hosts } : {}),
            repository: 'bench',
            sha: SHA,
          },
          executorContext(root, project, { siblings: projects }),
          { env: ENV, log },
        );
      },
    );
    const seconds = ms(t) / 1000;
    const bytesSent = proxies.reduce((n, p) => n + p.bytesForwarded(), 0);
    // Every registry gets the same index: the digests must agree (a mismatch is a bug, not a number).
    const digests = new Set<string>();
    for (const host of hosts)
      for (const project of projects)
        digests.add(`${project}@${(await skopeoManifest(host, `bench/${project}:${SHA}`)).digest}`);
    if (digests.size !== projects.length)
      throw new Error(`the ${hosts.length} registries hold different index digests`);
    return {
      services,
      parallel,
      registries: hosts.length,
      distinctBytes,
      bytesSent,
      ratio: Number((bytesSent / (distinctBytes * hosts.length)).toFixed(3)),
      seconds: Number(seconds.toFixed(1)),
      retries,
    };
  } finally {
    for (const proxy of proxies) await proxy.close();
    for (const reg of regs) await reg.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** The pre-push check (stream-hash every blob) over a layout of about `bytes`. */
export async function benchVerifyCost(bytes = 512 * MB): Promise<VerifyCostResult> {
  const made = makeLayout({ project: 'verify-cost', layerBytes: Math.floor(bytes / 2) });
  try {
    const source = readPushSource(OciLayout.open(made.layoutDir));
    const t = process.hrtime.bigint();
    await verifyPushSource(source);
    const took = ms(t);
    const total = made.metadata.compressedSize;
    return { bytes: total, ms: Math.round(took), msPerGB: Math.round(took / (total / (1024 * MB))) };
  } finally {
    rmSync(made.root, { recursive: true, force: true });
  }
}

/** Many synthetic single-layer images through the fault proxy at `faultRate`, then every tag checked with skopeo. */
export async function benchLoad(images = 1000, parallel = 16, faultRate = 0.1): Promise<LoadResult> {
  const reg = await startRegistry();
  const proxy = await startFaultProxy({ upstreamPort: Number(reg.host.split(':')[1]) });
  const root = mkdtempSync(join(tmpdir(), 'lucid-load-'));
  for (const kind of ['500', 'drop-request', 'drop-response'] as const)
    proxy.addRule({ kind, times: Number.MAX_SAFE_INTEGER, chance: faultRate / 3 });
  try {
    const projects = names(images, 'load');
    const made = new Map<string, MadeLayout>();
    const durations: number[] = [];
    let retries = 0;
    let failedPushes = 0;
    const t = process.hrtime.bigint();
    await pool(projects, parallel, async (project) => {
      const m = makeLayout({ project, root, platforms: ['linux/amd64'], layerBytes: 8 * 1024, sharedLayerBytes: 1024 });
      made.set(project, m);
      const started = process.hrtime.bigint();
      const ctx = executorContext(root, project);
      const run = () =>
        runPush({ outputPath: m.outputPath, registry: proxy.host, repository: 'load', sha: SHA, retries: 6 }, ctx, {
          env: ENV,
          log: (l) => (retries += l.includes('↻') ? 1 : 0),
        });
      // A push that gives up is rerun once, as CI would; a tag must never name an incomplete image either way.
      await run()
        .catch(() => run())
        .catch(() => failedPushes++);
      durations.push(ms(started));
    });
    const seconds = ms(t) / 1000;
    proxy.clearRules();
    let brokenTags = 0;
    await pool(projects, 4, async (project) => {
      const got = await skopeoManifest(reg.host, `load/${project}:${SHA}`).catch(() => undefined);
      if (got && got.digest !== made.get(project)!.metadata.index.digest) brokenTags++;
    });
    const sorted = durations.sort((a, b) => a - b);
    return {
      images,
      parallel,
      faultRate,
      faultsInjected: proxy.injected(),
      retries,
      failedPushes,
      brokenTags,
      imagesPerSecond: Number((images / seconds).toFixed(1)),
      p95PushMs: Math.round(sorted[Math.floor(sorted.length * 0.95)] ?? 0),
    };
  } finally {
    await proxy.close();
    await reg.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
