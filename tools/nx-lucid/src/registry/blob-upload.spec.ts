import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest } from '../oci/digest';
import { bufferBytes } from './blobs';
import { sendBlob } from './blob-upload';
import { RegistryClient } from './client';
import { UploadState } from './upload-state';

const REG = '127.0.0.1:5000';

/** A fake registry answering one upload's requests from a script, recording what it got. */
function fakeRegistry(answer: (method: string, url: URL, body: number) => Response) {
  const seen: string[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    const u = new URL(url);
    const body = init.body ? (init.body as Buffer).length : 0;
    seen.push(`${init.method} ${u.pathname}${u.searchParams.get('digest') ? '?digest' : ''} ${body}`);
    return answer(init.method ?? 'GET', u, body);
  }) as unknown as typeof fetch;
  return {
    seen,
    client: new RegistryClient({
      registry: REG,
      fetchImpl,
      sleep: () => Promise.resolve(),
      chunkedThreshold: 10,
      chunkSize: 40,
    }),
  };
}

describe('sendBlob', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lucid-send-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const data = Buffer.alloc(100, 7);
  const digest = sha256Digest(data);
  const session = `http://${REG}/v2/x/y/blobs/uploads/old?_state=s`;

  it('resumes a saved session from the offset the registry reports, and forgets it when done', async () => {
    const state = new UploadState(dir, REG);
    state.saveSession({ repository: 'x/y', digest, location: session, offset: 40 });
    const { seen, client } = fakeRegistry((method) => {
      if (method === 'GET') return new Response(null, { status: 204, headers: { range: '0-79', location: session } });
      if (method === 'PATCH') return new Response(null, { status: 202, headers: { location: session } });
      return new Response(null, { status: 201 });
    });
    const resumed = await sendBlob(
      { client, repository: 'x/y', state, stopped: () => false },
      digest,
      bufferBytes(data),
    );
    expect(resumed).toBe(80);
    expect(seen).toEqual([
      'GET /v2/x/y/blobs/uploads/old 0',
      'PATCH /v2/x/y/blobs/uploads/old 20',
      'PUT /v2/x/y/blobs/uploads/old?digest 0',
    ]);
    expect(state.session(digest)).toBeUndefined();
  });

  it('a session the registry refuses to continue is cancelled and the blob sent afresh', async () => {
    const state = new UploadState(dir, REG);
    state.saveSession({ repository: 'x/y', digest, location: session, offset: 40 });
    const { seen, client } = fakeRegistry((method, url) => {
      const fresh = url.pathname.endsWith('/new');
      if (method === 'GET') return new Response(null, { status: 204, headers: { range: '0-39' } });
      if (method === 'PATCH' && !fresh)
        return new Response('{"errors":[{"code":"BLOB_UPLOAD_INVALID"}]}', { status: 416 });
      if (method === 'POST')
        return new Response(null, { status: 202, headers: { location: `http://${REG}/v2/x/y/blobs/uploads/new` } });
      if (method === 'PATCH' || method === 'DELETE')
        return new Response(null, {
          status: method === 'DELETE' ? 204 : 202,
          headers: { location: `http://${REG}/v2/x/y/blobs/uploads/new` },
        });
      return new Response(null, { status: 201 });
    });
    const resumed = await sendBlob(
      { client, repository: 'x/y', state, stopped: () => false },
      digest,
      bufferBytes(data),
    );
    expect(resumed).toBe(0);
    expect(seen).toContain('DELETE /v2/x/y/blobs/uploads/old 0');
    expect(
      seen.filter((l) => l.startsWith('PATCH /v2/x/y/blobs/uploads/new')).map((l) => Number(l.split(' ')[2])),
    ).toEqual([40, 40, 20]);
    expect(seen.at(-1)).toBe('PUT /v2/x/y/blobs/uploads/new?digest 0');
    expect(client.stats.bytesResumed).toBe(0);
  });

  it('a session the registry no longer has (404) is cancelled, forgotten, and the blob sent from 0', async () => {
    const state = new UploadState(dir, REG);
    state.saveSession({ repository: 'x/y', digest, location: session, offset: 40 });
    const { seen, client } = fakeRegistry((method) => {
      if (method === 'GET') return new Response('{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN"}]}', { status: 404 });
      if (method === 'POST' || method === 'PATCH')
        return new Response(null, { status: 202, headers: { location: `http://${REG}/v2/x/y/blobs/uploads/new` } });
      return new Response(null, { status: method === 'DELETE' ? 204 : 201 });
    });
    expect(await sendBlob({ client, repository: 'x/y', state, stopped: () => false }, digest, bufferBytes(data))).toBe(
      0,
    );
    expect(seen.slice(0, 3)).toEqual([
      'GET /v2/x/y/blobs/uploads/old 0',
      'DELETE /v2/x/y/blobs/uploads/old 0',
      'POST /v2/x/y/blobs/uploads/ 0',
    ]);
    expect(state.session(digest)).toBeUndefined();
  });
});
