import { RegistryClient } from './client';
import { DistributionStore } from './manifest-store';

/** A registry answering every DELETE of a tag with `status` (and recording the requests). */
function registry(status: number, body = '') {
  const requests: string[] = [];
  const fetchImpl = (async (url: string, init?: RequestInit) => {
    requests.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    if (new URL(url).pathname === '/v2/') return new Response('{}', { status: 200 });
    return new Response(body, { status, headers: { 'Content-Type': 'application/json' } });
  }) as typeof fetch;
  const client = new RegistryClient({ registry: '127.0.0.1:1', fetchImpl, retry: { retries: 0 } });
  return { store: new DistributionStore(client, 'acme/svc'), requests };
}

describe('DistributionStore: can a tag be deleted alone?', () => {
  it.each([
    [404, '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}', true], // distribution 3: no such tag
    [400, '{"errors":[{"code":"DIGEST_INVALID"}]}', false], // distribution 2.8
    [405, '{"errors":[{"code":"UNSUPPORTED"}]}', false],
    [403, '{"errors":[{"code":"DENIED"}]}', false], // a read-only token: plan without tag deletes
  ])('DELETE of an unknown tag answered %i → %s', async (status, body, expected) => {
    const { store, requests } = registry(status, body);
    expect(await store.canDeleteTags()).toBe(expected);
    expect(await store.canDeleteTags()).toBe(expected);
    const deletes = requests.filter((r) => r.startsWith('DELETE'));
    expect(deletes).toHaveLength(1);
    expect(deletes[0]).toMatch(/^DELETE \/v2\/acme\/svc\/manifests\/lucid-prune-probe-[0-9a-f]{16}$/);
  });

  it('a server error is not taken for an answer', async () => {
    const { store } = registry(500, '{"errors":[{"code":"UNKNOWN"}]}');
    await expect(store.canDeleteTags()).rejects.toThrow(/HTTP 500/);
  });
});

describe('DistributionStore: deletes', () => {
  it('a registry with deleting off says how to turn it on', async () => {
    const { store } = registry(405, '{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}');
    await expect(store.deleteManifest(`sha256:${'a'.repeat(64)}`)).rejects.toThrow(
      /127\.0\.0\.1:1\/acme\/svc refuses manifest DELETE \(HTTP 405 UNSUPPORTED\).*REGISTRY_STORAGE_DELETE_ENABLED=true/,
    );
  });

  it('a manifest already gone (another prune) is not an error', async () => {
    const { store } = registry(404, '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    expect(await store.deleteManifest(`sha256:${'a'.repeat(64)}`)).toBe('gone');
  });
});

describe('DistributionStore: the OCI referrers API', () => {
  const digest = `sha256:${'b'.repeat(64)}`;
  it('lists the referrers of a digest', async () => {
    const index = { schemaVersion: 2, manifests: [{ digest: `sha256:${'c'.repeat(64)}` }] };
    const { store, requests } = registry(200, JSON.stringify(index));
    expect(await store.referrers(digest)).toEqual([`sha256:${'c'.repeat(64)}`]);
    expect(requests).toContain(`GET /v2/acme/svc/referrers/${digest}`);
  });

  it('a 404 (distribution 2.8 has no such API) is asked once, then never again', async () => {
    const { store, requests } = registry(404, '{"errors":[{"code":"NOT_FOUND"}]}');
    expect(await store.referrers(digest)).toBeUndefined();
    expect(await store.referrers(digest)).toBeUndefined();
    expect(requests.filter((r) => r.includes('/referrers/'))).toHaveLength(1);
  });
});
