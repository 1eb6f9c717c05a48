/**
 * Registry benchmarks against a real local registry (docker-registry on 127.0.0.1):
 *  - promote time (our registry-side manifest copy) vs `skopeo copy --all` of the same tag, at 1 MB and 200 MB;
 *  - bytes uploaded when re-pushing an unchanged image;
 *  - first-push throughput vs a plain upload of the same blobs (bare POST + monolithic PUT with fetch).
 * Functions return numbers; printing is the caller's business.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../nx-lucid/src/boundary/process';
import { runPush } from '../nx-lucid/src/nx/executors/push/executor';
import { runRelease } from '../nx-lucid/src/nx/executors/release/executor';
import { readPushSource } from '../nx-lucid/src/push/push';
import { RegistryClient } from '../nx-lucid/src/registry/client';
import { OciLayout } from '../nx-lucid/src/oci/layout';
import { makeLayout, MadeLayout } from '../nx-lucid/e2e/support/make-layout';
import { startRegistry, TestRegistry } from '../nx-lucid/e2e/support/registry';
import { executorContext } from '../nx-lucid/e2e/support/registry-check';

const ENV = { GITHUB_SHA: undefined, GITHUB_REF_NAME: undefined, GHCR_TOKEN: undefined, GITHUB_TOKEN: undefined };
const MB = 1024 * 1024;

export interface PromoteRow {
  imageBytes: number;
  /** Median ms of our promote (GET manifest + PUT under latest). */
  promoteMs: number;
  /** Median ms of skopeo copy --all docker://…:version docker://…:latest. */
  skopeoCopyMs: number;
}

export interface RepushResult {
  imageBytes: number;
  firstPushBytesUploaded: number;
  repushBytesUploaded: number;
  repushMs: number;
}

export interface ThroughputResult {
  imageBytes: number;
  /** Our first push, every phase included (HEADs, uploads, manifests, index, tags). */
  pushMs: number;
  pushMBps: number;
  /** Bare upload of the same blobs: POST + PUT per blob, nothing else. */
  plainMs: number;
  plainMBps: number;
}

export interface RegistryBenchResult {
  promote: PromoteRow[];
  repush: RepushResult;
  throughput: ThroughputResult;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function layoutOf(project: string, imageBytes: number, version: string): MadeLayout {
  // Two platforms; each platform layer carries half the image, plus a small shared layer.
  return makeLayout({ project, version, layerBytes: Math.floor(imageBytes / 2), sharedLayerBytes: 4096 });
}

async function push(reg: TestRegistry, made: MadeLayout, project: string, extra: Record<string, unknown> = {}) {
  return runPush(
    {
      outputPath: made.outputPath,
      registry: reg.host,
      repository: 'bench',
      sha: 'b'.repeat(40),
      latest: 'never',
      ...extra,
    },
    executorContext(made.root, project),
    { env: ENV, log: () => undefined },
  );
}

/** Promote vs skopeo copy of the same tag, for one image size (runs `runs` times each, alternating versions). */
export async function benchPromote(reg: TestRegistry, imageBytes: number, runs = 3): Promise<PromoteRow> {
  const project = `promote-${Math.round(imageBytes / MB)}mb`;
  const a = layoutOf(project, imageBytes, '1.0.0');
  const b = layoutOf(project, imageBytes, '1.1.0');
  try {
    await push(reg, a, project);
    await push(reg, b, project, { latest: 'always' });
    const ours: number[] = [];
    const skopeo: number[] = [];
    const repo = `${reg.host}/bench/${project}`;
    for (let i = 0; i < runs; i++) {
      const version = i % 2 === 0 ? 'v1.0.0' : 'v1.1.0';
      ours.push(
        await timed(() =>
          runRelease(
            { action: 'promote', version, registry: reg.host, repository: 'bench' },
            executorContext('/nonexistent', project),
            { env: ENV, log: () => undefined },
          ),
        ),
      );
      const other = version === 'v1.0.0' ? 'v1.1.0' : 'v1.0.0';
      skopeo.push(
        await timed(() =>
          runProcess('skopeo', [
            'copy',
            '--all',
            '--src-tls-verify=false',
            '--dest-tls-verify=false',
            `docker://${repo}:${other}`,
            `docker://${repo}:latest`,
          ]),
        ),
      );
    }
    return { imageBytes, promoteMs: median(ours), skopeoCopyMs: median(skopeo) };
  } finally {
    rmSync(a.root, { recursive: true, force: true });
    rmSync(b.root, { recursive: true, force: true });
  }
}

/** First push, then a re-push of the unchanged image: bytes uploaded each time. */
export async function benchRepush(reg: TestRegistry, imageBytes = 20 * MB): Promise<RepushResult> {
  const made = layoutOf('repush', imageBytes, '1.0.0');
  try {
    const first = await push(reg, made, 'repush');
    let second = first;
    const repushMs = await timed(async () => {
      second = await push(reg, made, 'repush');
    });
    return {
      imageBytes,
      firstPushBytesUploaded: first.blobs.uploadedBytes,
      repushBytesUploaded: second.blobs.uploadedBytes,
      repushMs,
    };
  } finally {
    rmSync(made.root, { recursive: true, force: true });
  }
}

/** Our first push vs a bare upload of the same blobs into a fresh repository. */
export async function benchThroughput(reg: TestRegistry, imageBytes = 100 * MB): Promise<ThroughputResult> {
  const made = layoutOf('throughput', imageBytes, '1.0.0');
  try {
    const pushMs = await timed(() => push(reg, made, 'throughput'));
    const source = readPushSource(OciLayout.open(made.layoutDir));
    const blobs = source.blobs.map((b) => ({
      digest: b.digest,
      data: readFileSync(join(made.layoutDir, 'blobs', 'sha256', b.digest.slice(7))),
    }));
    const plainMs = await timed(async () => {
      // A bare client (no retries, no mounts, no checks): what the push costs over the upload itself.
      const bare = new RegistryClient({ registry: reg.host, retry: { retries: 0 } });
      for (const blob of blobs) await bare.uploadBlob('bench/plain-upload', blob.digest, blob.data);
    });
    const total = blobs.reduce((n, b) => n + b.data.length, 0);
    return {
      imageBytes: total,
      pushMs,
      pushMBps: total / MB / (pushMs / 1000),
      plainMs,
      plainMBps: total / MB / (plainMs / 1000),
    };
  } finally {
    rmSync(made.root, { recursive: true, force: true });
  }
}

/** Everything, against one fresh registry. */
export async function runRegistryBench(
  opts: { promoteSizes?: number[]; runs?: number } = {},
): Promise<RegistryBenchResult> {
  const reg = await startRegistry();
  try {
    const promote: PromoteRow[] = [];
    for (const size of opts.promoteSizes ?? [1 * MB, 200 * MB])
      promote.push(await benchPromote(reg, size, opts.runs ?? 3));
    const repush = await benchRepush(reg);
    const throughput = await benchThroughput(reg);
    return { promote, repush, throughput };
  } finally {
    await reg.stop();
  }
}
