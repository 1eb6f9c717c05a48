/**
 * A small Nx self-hosted remote cache server (Nx's OpenAPI spec, as its Rust client http_remote_cache.rs speaks it):
 *   GET /v1/cache/{hash}  200 application/octet-stream (the tar.gz Nx stored) | 404 miss
 *   PUT /v1/cache/{hash}  200 stored | 409 already stored (entries are immutable) | 403 read-only token
 * every request with `Authorization: Bearer <token>` (401 otherwise). In memory, for tests: Nx's client is the
 * real part under test.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface RemoteCacheServer {
  url: string;
  entries: Map<string, Buffer>;
  stats: { gets: number; hits: number; puts: number; bytesServed: number; unauthorized: number };
  stop(): Promise<void>;
}

export async function startRemoteCacheServer(opts: {
  token: string;
  readOnlyToken?: string;
}): Promise<RemoteCacheServer> {
  const entries = new Map<string, Buffer>();
  const stats = { gets: 0, hits: 0, puts: 0, bytesServed: 0, unauthorized: 0 };
  const reply = (res: ServerResponse, status: number, body = '') => {
    res.writeHead(status, { 'Content-Type': 'text/plain' });
    res.end(body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const m = /^\/v1\/cache\/([A-Za-z0-9_.-]+)$/.exec(req.url ?? '');
    if (!m) return reply(res, 404, 'not found');
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
    const writable = token === opts.token;
    if (!writable && !(opts.readOnlyToken && token === opts.readOnlyToken)) {
      stats.unauthorized++;
      return reply(res, 401, 'missing or invalid access token');
    }
    const hash = m[1];
    if (req.method === 'GET') {
      stats.gets++;
      const body = entries.get(hash);
      if (!body) return reply(res, 404, 'the record was not found');
      stats.hits++;
      stats.bytesServed += body.length;
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) });
      return res.end(body);
    }
    if (req.method === 'PUT') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (!writable) return reply(res, 403, 'read-only access token');
      if (entries.has(hash)) return reply(res, 409, 'cannot override an existing record');
      stats.puts++;
      entries.set(hash, Buffer.concat(chunks));
      return reply(res, 200, 'stored');
    }
    return reply(res, 405, 'method not allowed');
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => reply(res, 500, String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    entries,
    stats,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
