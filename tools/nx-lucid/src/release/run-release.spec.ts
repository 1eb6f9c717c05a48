import { releaseOptions } from './testing/release-options';
import { createHash } from 'node:crypto';
import { ReleaseOptions, runReleaseAction } from './run-release';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const indexBytes = (n: number) =>
  Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [], annotations: { n: String(n) } }));
const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const B1 = indexBytes(1);
const B2 = indexBytes(2);
const D1 = digestOf(B1);
const D2 = digestOf(B2);
const options = (over: Partial<ReleaseOptions> = {}): ReleaseOptions => releaseOptions('registry.test:5000', over);

describe('runReleaseAction (the release use case)', () => {
  let requests: string[];
  const tags: Record<string, string> = { 'v1.0.0': D1, 'v1.1.0': D2, latest: D2 };
  /** A registry holding three tags; it accepts reads only. */
  const registry = (async (url: string | URL, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    const path = new URL(String(url)).pathname;
    requests.push(`${method} ${path}`);
    if (path === '/v2/') return new Response('{}', { status: 200 });
    if (path.endsWith('/tags/list')) return Response.json({ name: 'hamigames/lucid/api', tags: Object.keys(tags) });
    // No referrers API, and no referrers tag (sha256-<hex>): the versions carry no attestations.
    if (method === 'GET' && (/\/referrers\//.test(path) || /\/manifests\/sha256-/.test(path)))
      return new Response('404 page not found', { status: 404 });
    const tag = /\/manifests\/(.+)$/.exec(path)?.[1];
    if (method === 'HEAD' && tag && tags[tag]) {
      return new Response(null, {
        status: 200,
        headers: {
          'docker-content-digest': tags[tag],
          'content-type': 'application/vnd.oci.image.index.v1+json',
          'content-length': '10',
        },
      });
    }
    const bytes = tag === D1 ? B1 : tag === D2 ? B2 : undefined;
    if (method === 'GET' && bytes)
      return new Response(bytes, { status: 200, headers: { 'content-type': INDEX, 'docker-content-digest': tag! } });
    return new Response('unexpected', { status: 500 });
  }) as typeof fetch;
  const deps = (lines: string[] = [], env: NodeJS.ProcessEnv = {}) => ({
    env,
    log: (l: string) => lines.push(l),
    client: { fetchImpl: registry },
  });

  beforeEach(() => {
    requests = [];
  });

  it('list: every version with its digest, latest marked', async () => {
    const lines: string[] = [];
    const outcome = await runReleaseAction('api', options({ action: 'list' }), deps(lines));
    expect(outcome.versions?.map((v) => [v.tag, v.digest, v.latest])).toEqual([
      ['v1.1.0', D2, true],
      ['v1.0.0', D1, false],
    ]);
    expect(lines[0]).toBe(`registry.test:5000/hamigames/lucid/api: 2 version(s), latest = ${D2}`);
    expect(lines[1]).toMatch(/v1\.1\.0 .*; no attestation referrers {2}\(latest\)$/);
    expect(outcome.versions?.[0].referrers).toEqual({ signed: [], unsigned: [] });
  });

  it('rollback --dry-run plans latest → the release below, and changes nothing', async () => {
    const lines: string[] = [];
    const outcome = await runReleaseAction('api', options({ action: 'rollback', dryRun: true }), deps(lines));
    expect(outcome.plan?.steps).toEqual([expect.objectContaining({ kind: 'tag', tag: 'latest', digest: D1 })]);
    expect(requests.filter((r) => !r.startsWith('GET') && !r.startsWith('HEAD'))).toEqual([]);
  });

  it('--dry-run prints each tag change before → after', async () => {
    const lines: string[] = [];
    const outcome = await runReleaseAction(
      'api',
      options({ action: 'promote', version: 'v1.0.0', dryRun: true }),
      deps(lines),
    );
    expect(outcome.changes).toEqual([{ tag: 'latest', before: D2, after: D1, forced: false }]);
    expect(lines).toContain(`  [dry-run] would change registry.test:5000/hamigames/lucid/api:latest: ${D2} → ${D1}`);
  });

  it('create of an existing version to another digest refuses, naming both digests, and writes nothing', async () => {
    await expect(
      runReleaseAction('api', options({ action: 'create', version: 'v1.0.0', from: 'v1.1.0' }), deps()),
    ).rejects.toThrow(new RegExp(`v1\\.0\\.0 already exists .* names ${D1}, not ${D2}; versions are immutable`));
    expect(requests.filter((r) => !r.startsWith('GET') && !r.startsWith('HEAD'))).toEqual([]);
  });

  it('a bad version fails before the registry is touched', async () => {
    await expect(
      runReleaseAction('api', options({ action: 'promote', version: 'not-a-version' }), deps()),
    ).rejects.toThrow();
    expect(requests).toEqual([]);
  });
});
