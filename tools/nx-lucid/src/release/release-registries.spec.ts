import { releaseOptions } from './testing/release-options';
import { createHash } from 'node:crypto';
import { runReleaseOnRegistries } from './release-registries';
import { ReleaseOptions } from './run-release';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const indexBytes = (n: number) =>
  Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [], annotations: { n: String(n) } }));
const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const BYTES = new Map([indexBytes(1), indexBytes(2)].map((b) => [digestOf(b), b]));
const [D1, D2] = [...BYTES.keys()];
const A = 'a.test:5000';
const B = 'b.test:5000';

const options = (over: Partial<ReleaseOptions> = {}): ReleaseOptions =>
  releaseOptions(A, { registries: [A, B], insecureRegistries: [A, B], ...over });

describe('runReleaseOnRegistries (--registry <host> | all)', () => {
  let requests: string[];
  let tags: Record<string, Record<string, string>>;
  /** Two registries, each a tag → digest map; a manifest PUT by tag is stored. */
  const registries = (async (url: string | URL, init?: RequestInit) => {
    const u = new URL(String(url));
    const method = init?.method ?? 'GET';
    requests.push(`${u.host} ${method} ${u.pathname}`);
    const repo = tags[u.host];
    if (u.pathname === '/v2/') return new Response('{}', { status: 200 });
    if (u.pathname.endsWith('/tags/list')) return Response.json({ name: 'x', tags: Object.keys(repo) });
    const ref = /\/manifests\/(.+)$/.exec(u.pathname)?.[1] ?? '';
    const digest = repo[ref] ?? (BYTES.has(ref) ? ref : undefined);
    if (method === 'PUT') {
      repo[ref] = digestOf(Buffer.from(init!.body as Uint8Array));
      return new Response(null, { status: 201, headers: { 'docker-content-digest': repo[ref] } });
    }
    if (!digest) return new Response(null, { status: 404 });
    const headers = { 'docker-content-digest': digest, 'content-type': INDEX };
    return new Response(method === 'HEAD' ? null : BYTES.get(digest)!, { status: 200, headers });
  }) as typeof fetch;
  const deps = (lines: string[] = [], env: NodeJS.ProcessEnv = {}) => ({
    env,
    log: (l: string) => lines.push(l),
    client: { fetchImpl: registries },
  });
  const writes = () => requests.filter((r) => / (PUT|POST|DELETE|PATCH) /.test(r));

  beforeEach(() => {
    requests = [];
    tags = { [A]: { latest: D1 }, [B]: { latest: D1 } };
  });

  it('--registry all creates the version in every configured registry', async () => {
    const out = await runReleaseOnRegistries(
      'api',
      options({ action: 'create', version: 'v1.0.0', registry: 'all' }),
      deps(),
    );
    expect(out.registries?.map((r) => r.registry)).toEqual([A, B]);
    expect([tags[A]['v1.0.0'], tags[B]['v1.0.0']]).toEqual([D1, D1]);
  });

  it('a refused version move in the second registry stops the action before the first is changed', async () => {
    tags[B]['v1.0.0'] = D2;
    const run = runReleaseOnRegistries(
      'api',
      options({ action: 'create', version: 'v1.0.0', allRegistries: true }),
      deps(),
    );
    await expect(run).rejects.toThrow(
      new RegExp(`v1\\.0\\.0 already exists in ${B.replace('.', '\\.')}.* names ${D2}`),
    );
    expect(writes()).toEqual([]);
    expect(tags[A]['v1.0.0']).toBeUndefined();
  });

  it('--registry <host> targets that one registry only', async () => {
    await runReleaseOnRegistries('api', options({ action: 'create', version: 'v1.0.0', registry: B }), deps());
    expect(requests.every((r) => r.startsWith(`${B} `))).toBe(true);
    expect([tags[A]['v1.0.0'], tags[B]['v1.0.0']]).toEqual([undefined, D1]);
  });

  it('--registry all with no registries configured, or with --password-stdin, is an error before any request', async () => {
    const none = options({ action: 'list', registry: 'all', registries: undefined });
    await expect(runReleaseOnRegistries('api', none, deps())).rejects.toThrow(/--registry all: no registries/);
    const stdin = options({ action: 'list', registry: 'all', passwordStdin: true });
    await expect(runReleaseOnRegistries('api', stdin, deps())).rejects.toThrow(/--password-stdin gives one password/);
    expect(requests).toEqual([]);
  });
});
