import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest } from '../oci/digest';
import { RegistryClient } from './client';
import { pushImage, PushSource } from '../push/push';
import { DEFAULT_RETRY } from './retry';

const noSleep = () => Promise.resolve();

/** A port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function clientFor(registry: string, fetchImpl?: typeof fetch) {
  const retries: string[] = [];
  const client = new RegistryClient({ registry, fetchImpl, sleep: noSleep, onRetry: (e) => retries.push(e.reason) });
  return { client, retries };
}

describe('transport retries only what can recover', () => {
  it('a refused connection fails after a short bounded wait (at most 2 retries), naming the cause', async () => {
    const { client, retries } = clientFor(`127.0.0.1:${await closedPort()}`);
    await expect(client.hasBlob('a/b', `sha256:${'0'.repeat(64)}`)).rejects.toThrow(
      /ECONNREFUSED.*gave up after 3 attempts/,
    );
    expect(retries).toHaveLength(2);
  });

  it('a DNS failure fails the same way', async () => {
    const { client, retries } = clientFor('registry.nosuch.invalid');
    await expect(client.headManifest('a/b', 'latest')).rejects.toThrow(/ENOTFOUND/);
    expect(retries.length).toBeLessThanOrEqual(2);
  });

  it('a port Node refuses outright ("bad port") is not retried at all', async () => {
    const { client, retries } = clientFor('127.0.0.1:6000');
    await expect(client.ping()).rejects.toThrow(/bad port/);
    expect(retries).toEqual([]);
  });

  it('5xx, 429 and resets are retried up to the policy', async () => {
    let calls = 0;
    const flaky = (async () => {
      calls++;
      if (calls === 1) return new Response('', { status: 503 });
      if (calls === 2) return new Response('', { status: 429, headers: { 'retry-after': '0' } });
      if (calls === 3)
        throw Object.assign(new TypeError('fetch failed'), {
          cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
        });
      return new Response(null, { status: 200 });
    }) as unknown as typeof fetch;
    const { client, retries } = clientFor('127.0.0.1:5000', flaky);
    expect(await client.hasBlob('a/b', `sha256:${'0'.repeat(64)}`)).toBe(true);
    expect(retries).toHaveLength(3);
    const down = (async () => new Response('', { status: 502 })) as unknown as typeof fetch;
    const d = clientFor('127.0.0.1:5000', down);
    await expect(d.client.hasBlob('a/b', `sha256:${'0'.repeat(64)}`)).rejects.toThrow(/HTTP 502/);
    expect(d.retries).toHaveLength(DEFAULT_RETRY.retries);
  });

  it('4xx answers are not retried', async () => {
    const denied = (async () =>
      new Response(JSON.stringify({ errors: [{ code: 'DENIED', message: 'no' }] }), {
        status: 403,
      })) as unknown as typeof fetch;
    const { client, retries } = clientFor('127.0.0.1:5000', denied);
    await expect(client.getManifest('a/b', 'latest')).rejects.toThrow(/HTTP 403 DENIED/);
    expect(retries).toEqual([]);
  });
});

describe('pushImage after a failure', () => {
  it('stops probing mount candidates once the push has failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lucid-stop-'));
    const contents = Array.from({ length: 6 }, (_, i) => Buffer.from(`blob ${i}`));
    const digests = contents.map((c) => sha256Digest(c));
    contents.forEach((c, i) => writeFileSync(join(dir, digests[i].slice(7)), c));
    const siblings = Array.from({ length: 8 }, (_, i) => `ns/sibling-${i}`);
    const log: string[] = [];
    let failedAt = -1;
    const fake = (async (url: string, init: RequestInit) => {
      const path = new URL(url).pathname;
      log.push(`${init.method} ${path}`);
      // Each probe takes a moment, so the other workers are mid-way through their candidates when one fails.
      await new Promise((r) => setTimeout(r, 2));
      // The first blob's existence check is refused for good (fatal), while the other workers are probing siblings.
      if ((init.method === 'HEAD' && path === `/v2/ns/app/blobs/${digests[0]}`) || init.method === 'POST') {
        if (failedAt < 0) failedAt = log.length;
        return new Response(null, { status: 403 });
      }
      return new Response(null, { status: 404 });
    }) as unknown as typeof fetch;
    const client = new RegistryClient({ registry: '127.0.0.1:5000', fetchImpl: fake, sleep: noSleep });
    const blobs = digests.map((digest, i) => ({
      digest,
      size: contents[i].length,
      mediaType: 'application/octet-stream',
    }));
    const layout = {
      blobPath: (d: string) => join(dir, d.slice(7)),
      readBlob: (d: string) => readFileSync(join(dir, d.slice(7))),
    };
    const source = {
      layout,
      index: { digest: digests[0], mediaType: 'x', bytes: Buffer.alloc(0) },
      manifests: [],
      blobs,
    } as unknown as PushSource;
    await expect(
      pushImage(client, source, {
        repository: 'ns/app',
        tags: ['t'],
        dryRun: false,
        mountFrom: siblings,
        concurrency: 3,
      }),
    ).rejects.toThrow(/HTTP 403/);
    const probesAfter = log.slice(failedAt).filter((l) => /HEAD \/v2\/ns\/sibling-/.test(l));
    // At most the probes already in flight when the failure came (one per other worker).
    expect(probesAfter.length).toBeLessThanOrEqual(2);
    expect(log.filter((l) => l.startsWith('POST'))).toEqual([]);
  });
});
