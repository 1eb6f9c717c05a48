/**
 * Faults between container-push and a real registry: a proxy injects 500s, 429s with Retry-After,
 * connections dropped mid-body, and the registry is killed mid-push (then restarted). After every
 * run — successful or not — no tag may name an image whose manifests or blobs are missing, and a
 * rerun completes. The number of injected faults is printed.
 */
import { runPush } from '../src/nx/executors/push/executor';
import { runRelease } from '../src/nx/executors/release/executor';
import { FaultProxy, startFaultProxy } from './support/fault-proxy';
import { makeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';
import { executorContext, findIncompleteTags, skopeoManifest, skopeoTags } from './support/registry-check';

const env = { GITHUB_SHA: undefined, GITHUB_REF_NAME: undefined, GHCR_TOKEN: undefined, GITHUB_TOKEN: undefined };
const SHA = 'abcdef0123456789abcdef0123456789abcdef01';
const FAST_RETRY = { baseDelayMs: 50, maxDelayMs: 1500 };

describe('container-push under faults', () => {
  let reg: TestRegistry;
  let proxy: FaultProxy;
  let onRequest: ((info: { method: string; path: string }) => Promise<void> | void) | undefined;
  const scenarios: string[] = [];

  beforeAll(async () => {
    reg = await startRegistry();
    proxy = await startFaultProxy({ upstreamPort: Number(reg.host.split(':')[1]), onRequest: (i) => onRequest?.(i) });
  });
  afterAll(async () => {
    console.log(
      `faults injected: ${proxy?.injected()} ${JSON.stringify(proxy?.injectedByKind())}\n${scenarios.join('\n')}`,
    );
    await proxy?.close();
    await reg?.stop();
  });
  afterEach(async () => {
    onRequest = undefined;
    proxy.clearRules();
    // The invariant, after every run: every tag names a complete image.
    expect(await findIncompleteTags(reg.url)).toEqual([]);
  });

  const push = (project: string, extra: Record<string, unknown> = {}, lines: string[] = []) => {
    const made = makeLayout({ project, layerBytes: 256 * 1024, version: '1.0.0' });
    const run = (more: Record<string, unknown> = {}) =>
      runPush(
        {
          outputPath: made.outputPath,
          registry: proxy.host,
          repository: 'lucid',
          sha: SHA,
          latest: 'always',
          ...extra,
          ...more,
        },
        executorContext(made.root, project),
        { env, log: (l) => lines.push(l), client: { retry: FAST_RETRY } },
      );
    return { made, run };
  };
  const record = (name: string, before: number, outcome: string) =>
    scenarios.push(`  ${name}: ${proxy.injected() - before} fault(s), ${outcome}`);
  const complete = async (project: string, digest: string) => {
    expect((await skopeoManifest(reg.host, `lucid/${project}:latest`)).digest).toBe(digest);
  };

  it('completes through 500s on uploads and HEADs', async () => {
    const before = proxy.injected();
    proxy.addRule({ method: 'PUT', path: /\/blobs\/uploads\//, kind: '500', times: 2 });
    proxy.addRule({ method: 'HEAD', path: /\/blobs\//, kind: '500', times: 2 });
    const { made, run } = push('svc-500');
    const result = await run();
    expect(result.blobs.uploaded).toBe(5);
    await complete('svc-500', made.metadata.index.digest);
    expect(proxy.injected() - before).toBe(4);
    record('500 on blob PUT/HEAD', before, 'completed by retry');
  });

  it('waits out 429 with Retry-After', async () => {
    const before = proxy.injected();
    proxy.addRule({ method: 'PUT', path: /\/manifests\//, kind: '429', times: 1, retryAfterSeconds: 1 });
    const lines: string[] = [];
    const { made, run } = push('svc-429', {}, lines);
    const started = Date.now();
    await run();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(lines.join('\n')).toMatch(/retry 1 in 1000 ms/);
    await complete('svc-429', made.metadata.index.digest);
    record('429 Retry-After: 1 on manifest PUT', before, 'completed after waiting');
  });

  it('restarts an upload whose connection dropped mid-body, and a read whose response was cut', async () => {
    const before = proxy.injected();
    proxy.addRule({ method: 'PUT', path: /\/blobs\/uploads\//, kind: 'drop-request', times: 2 });
    const { made, run } = push('svc-drop');
    await run();
    await complete('svc-drop', made.metadata.index.digest);
    // A release reads the index (GET) through the proxy; its body is cut once.
    proxy.addRule({ method: 'GET', path: /\/manifests\/sha256:/, kind: 'drop-response', times: 1 });
    await runRelease(
      { action: 'create', version: 'v9.0.0', registry: proxy.host, repository: 'lucid' },
      executorContext('/nonexistent', 'svc-drop'),
      {
        env,
        log: () => undefined,
        client: { retry: FAST_RETRY },
      },
    );
    expect((await skopeoManifest(reg.host, 'lucid/svc-drop:v9.0.0')).digest).toBe(made.metadata.index.digest);
    expect(proxy.injectedByKind()['drop-response']).toBeGreaterThanOrEqual(1);
    record('connections dropped mid request/response body', before, 'completed by retry');
  });

  it('fails cleanly when the index PUT keeps failing — no tag is written — and a rerun completes', async () => {
    const before = proxy.injected();
    proxy.addRule({ method: 'PUT', path: /\/manifests\/sha256:/, kind: '500', times: 1000, skip: 2 });
    const { made, run } = push('svc-stuck', { retries: 2 });
    await expect(run()).rejects.toThrow(
      /PUT manifest sha256:[0-9a-f]+ on .*lucid\/svc-stuck failed: HTTP 500 UNKNOWN: injected fault/,
    );
    expect(await skopeoTags(reg.host, 'lucid/svc-stuck')).toEqual([]);
    expect(await findIncompleteTags(reg.url)).toEqual([]);
    proxy.clearRules();
    const again = await run();
    expect(again.blobs.uploadedBytes).toBe(0); // the blobs made it the first time
    await complete('svc-stuck', made.metadata.index.digest);
    record('persistent 500 on the index PUT', before, 'failed cleanly with no tag, rerun completed');
  });

  it('survives the registry being killed mid-push and restarted', async () => {
    const before = proxy.injected();
    let killed = false;
    onRequest = async ({ method, path }) => {
      if (!killed && method === 'PUT' && /\/blobs\/uploads\//.test(path)) {
        killed = true;
        await reg.kill();
        setTimeout(() => void reg.restart(), 600);
      }
    };
    const { made, run } = push('svc-killed', { retries: 8 });
    const result = await run().then(
      (r) => r,
      (e: Error) => e,
    );
    if (result instanceof Error) {
      // Failing is allowed if it is clean; then the rerun must complete.
      expect(result.message).toMatch(/failed/);
      await run();
      record('registry killed mid-push, restarted', before, 'failed cleanly, rerun completed');
    } else {
      record('registry killed mid-push, restarted', before, 'completed by retry');
    }
    expect(killed).toBe(true);
    await complete('svc-killed', made.metadata.index.digest);
  });

  it('fails cleanly while the registry stays down, and the rerun after a restart completes', async () => {
    const before = proxy.injected();
    let killed = false;
    onRequest = async ({ method, path }) => {
      if (!killed && method === 'PUT' && /\/manifests\//.test(path)) {
        killed = true;
        await reg.kill();
      }
    };
    const { made, run } = push('svc-down', { retries: 2 });
    const failure = await run().then(
      () => undefined,
      (e: Error) => e,
    );
    await reg.restart();
    expect(failure?.message).toMatch(/failed: .*\(gave up after 3 attempts\)/);
    expect(await skopeoTags(reg.host, 'lucid/svc-down')).toEqual([]);
    await run();
    await complete('svc-down', made.metadata.index.digest);
    record('registry killed and left down', before, 'failed cleanly, rerun completed');
  });

  describe('resume re-sends only what the registry lacks (4 MiB layer, 1 MiB chunks)', () => {
    const MiB = 1048576;
    const chunked = { retry: FAST_RETRY, chunkedThreshold: MiB, chunkSize: MiB };
    /** Pushes a one-platform image with a 4 MiB layer; returns the upload bytes the registry got beyond the blobs. */
    const resent = async (project: string, lines: string[]) => {
      const made = makeLayout({ project, platforms: ['linux/amd64'], layerBytes: 4 * MiB, version: '1.0.0' });
      const before = proxy.bytesForwarded();
      const result = await runPush(
        { outputPath: made.outputPath, registry: proxy.host, repository: 'lucid', sha: SHA, latest: 'always' },
        executorContext(made.root, project),
        { env, log: (l) => lines.push(l), client: chunked },
      );
      await complete(project, made.metadata.index.digest);
      const blobBytes = result.blobs.uploadedBytes + result.blobs.resumedBytes;
      return proxy.bytesForwarded() - before - blobBytes;
    };

    it('a first chunk answered 500 (registry Range 0-0) is sent again from byte 0, once', async () => {
      const before = proxy.injected();
      proxy.addRule({ method: 'PATCH', path: /\/blobs\/uploads\//, kind: '500', times: 1 });
      const lines: string[] = [];
      const extra = await resent('svc-range00', lines);
      // Only manifests are sent besides the blobs (each well under 4 KiB).
      expect(extra).toBeLessThan(4096);
      record('500 on the first chunk', before, `completed; ${extra} bytes beyond the blobs and manifests' own`);
    });

    it('a connection reset mid-chunk before the registry stored any of it: resumed, nothing re-sent', async () => {
      const before = proxy.injected();
      proxy.addRule({ method: 'PATCH', path: /\/blobs\/uploads\//, kind: 'drop-request', times: 1, skip: 1 });
      const lines: string[] = [];
      const extra = await resent('svc-reset-resume', lines);
      expect(lines.join('\n')).toMatch(/4\.0 MiB upload \(resumed at 1\.0 MiB\)/);
      expect(extra).toBeLessThan(4096);
      record('reset mid-chunk, nothing stored', before, `resumed at 1 MiB; ${extra} bytes beyond the blobs`);
    });

    it('a reset after the registry stored half a chunk: distribution drops the session, sent again once', async () => {
      const before = proxy.injected();
      proxy.addRule({ method: 'PATCH', path: /\/blobs\/uploads\//, kind: 'cut-forward', times: 1, skip: 1 });
      const lines: string[] = [];
      const extra = await resent('svc-reset', lines);
      expect(proxy.injectedByKind()['cut-forward']).toBe(1);
      // distribution answers BLOB_UPLOAD_INVALID for the saved session: what it got (1 MiB + half a chunk) is lost.
      expect(lines.join('\n')).toMatch(/dropped the upload session of sha256:[0-9a-f]{64} saved at 1048576 bytes/);
      expect(extra).toBeLessThanOrEqual(1.5 * MiB + 4096);
      record('reset mid-chunk, half stored', before, `session dropped by the registry; ${extra} bytes re-sent`);
    });
  });
});
