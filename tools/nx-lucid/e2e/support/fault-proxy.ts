/**
 * An HTTP proxy in front of the real test registry that injects faults (500, 429 + Retry-After,
 * connections dropped mid-body, an upstream that is gone) and can demand auth the way GHCR does
 * (Bearer token flow via WWW-Authenticate) or plain Basic. It counts every fault it injects.
 */
import { createServer, IncomingMessage, request as httpRequest, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export type FaultKind =
  /** Answer 500 with a registry error body. */
  | '500'
  /** Answer 429 with Retry-After (seconds). */
  | '429'
  /** Read part of the request body, then drop the connection. */
  | 'drop-request'
  /** Forward, then send half of the response body and drop the connection. */
  | 'drop-response'
  /** Forward the first half of the request body to the registry, then reset both connections. */
  | 'cut-forward';

export interface FaultRule {
  method?: string;
  path?: RegExp;
  kind: FaultKind;
  /** How many matching requests get the fault. */
  times: number;
  /** Let this many matching requests through first. */
  skip?: number;
  retryAfterSeconds?: number;
  /** Fire on this share of matching requests (0-1), at random, instead of on every one. */
  chance?: number;
}

export interface ProxyRequestInfo {
  method: string;
  path: string;
  /** Requests seen so far, this one included. */
  count: number;
}

export interface FaultProxyOptions {
  upstreamPort: number;
  /** Require credentials like GHCR (bearer token flow) or a Basic registry. */
  auth?: { mode: 'bearer' | 'basic'; username?: string; password: string };
  /** Called for every request before it is handled (e.g. to kill the registry mid-push). */
  onRequest?: (info: ProxyRequestInfo) => void | Promise<void>;
}

export interface FaultProxy {
  host: string;
  url: string;
  /** Faults injected so far (rules and upstream-down drops). */
  injected: () => number;
  /** Faults injected by kind. */
  injectedByKind: () => Record<string, number>;
  addRule(rule: FaultRule): void;
  clearRules(): void;
  /** Every Authorization header value the proxy received (to check which credentials were sent). */
  authorizations: string[];
  requests: () => number;
  /** Request body bytes forwarded to the registry so far (what a client really sent it). */
  bytesForwarded: () => number;
  close(): Promise<void>;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const rules: Array<FaultRule & { seen: number; fired: number }> = [];
  const byKind: Record<string, number> = {};
  let requests = 0;
  const authorizations: string[] = [];
  const issuedTokens = new Set<string>();
  const inject = (kind: string) => (byKind[kind] = (byKind[kind] ?? 0) + 1);
  let base = '';

  const handleAuth = (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    const auth = options.auth;
    if (!auth) return false;
    const header = req.headers.authorization ?? '';
    if (header) authorizations.push(header);
    const basicOk =
      header === `Basic ${Buffer.from(`${auth.username ?? 'token'}:${auth.password}`).toString('base64')}` ||
      (auth.username === undefined &&
        header.startsWith('Basic ') &&
        Buffer.from(header.slice(6), 'base64').toString().endsWith(`:${auth.password}`));
    if (path.startsWith('/token')) {
      req.resume();
      if (auth.mode !== 'bearer' || !basicOk) {
        res
          .writeHead(401, { 'Content-Type': 'application/json' })
          .end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
      } else {
        const token = `tok-${issuedTokens.size + 1}-${Date.now()}`;
        issuedTokens.add(token);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token }));
      }
      return true;
    }
    const ok = auth.mode === 'bearer' ? issuedTokens.has(header.replace(/^Bearer /, '')) : basicOk;
    if (ok) return false;
    req.resume();
    const repo = /^\/v2\/(.+?)\/(blobs|manifests|tags)\//.exec(path)?.[1];
    const challenge =
      auth.mode === 'bearer'
        ? `Bearer realm="${base}/token",service="fault-proxy"${repo ? `,scope="repository:${repo}:pull,push"` : ''}`
        : 'Basic realm="fault-proxy"';
    res.writeHead(401, { 'WWW-Authenticate': challenge, 'Content-Type': 'application/json' });
    res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    return true;
  };

  let forwardedBytes = 0;
  const forward = (req: IncomingMessage, res: ServerResponse, dropResponse: boolean) => {
    const headers = { ...req.headers };
    delete headers.authorization;
    const up = httpRequest(
      { host: '127.0.0.1', port: options.upstreamPort, method: req.method, path: req.url, headers },
      (upRes) => {
        if (!dropResponse) {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          const body = Buffer.concat(chunks);
          res.writeHead(upRes.statusCode ?? 502, {
            ...upRes.headers,
            'content-length': String(Math.max(body.length, 2)),
          });
          res.write(body.subarray(0, Math.floor(body.length / 2)));
          setTimeout(() => res.socket?.destroy(), 10);
        });
      },
    );
    up.on('error', () => {
      // The registry is down (killed): the client sees the connection drop, as it would without a proxy.
      inject('upstream-down');
      res.socket?.destroy();
    });
    req.on('data', (c: Buffer) => (forwardedBytes += c.length));
    req.pipe(up);
  };

  /** The registry gets half the body, then the connection breaks: what a reset mid-chunk leaves it. */
  const cutForward = (req: IncomingMessage) => {
    const headers = { ...req.headers };
    delete headers.authorization;
    const up = httpRequest({
      host: '127.0.0.1',
      port: options.upstreamPort,
      method: req.method,
      path: req.url,
      headers,
    });
    up.on('error', () => undefined);
    up.on('response', (r) => r.resume());
    const half = Math.ceil(Number(req.headers['content-length'] ?? 0) / 2);
    let sent = 0;
    req.on('data', (c: Buffer) => {
      if (sent >= half) return;
      const part = c.subarray(0, half - sent);
      sent += part.length;
      forwardedBytes += part.length;
      up.write(part);
      // Give the registry a moment to store what it got, then break both sides as a network reset would.
      if (sent >= half)
        setTimeout(() => {
          up.destroy();
          req.socket.destroy();
        }, 300);
    });
  };

  const server: Server = createServer(async (req, res) => {
    const count = ++requests;
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    try {
      await options.onRequest?.({ method, path, count });
    } catch {
      /* a hook failure must not hang the request */
    }
    if (handleAuth(req, res, path)) return;
    const rule = rules.find(
      (r) =>
        (!r.method || r.method === method) &&
        (!r.path || r.path.test(path)) &&
        r.fired < r.times &&
        r.seen++ >= (r.skip ?? 0) &&
        (r.chance === undefined || Math.random() < r.chance),
    );
    if (!rule) return forward(req, res, false);
    rule.fired++;
    inject(rule.kind);
    switch (rule.kind) {
      case '500':
        req.resume();
        req.on('end', () =>
          res
            .writeHead(500, { 'Content-Type': 'application/json' })
            .end('{"errors":[{"code":"UNKNOWN","message":"injected fault"}]}'),
        );
        return;
      case '429':
        req.resume();
        req.on('end', () =>
          res
            .writeHead(429, { 'Retry-After': String(rule.retryAfterSeconds ?? 1), 'Content-Type': 'application/json' })
            .end('{"errors":[{"code":"TOOMANYREQUESTS","message":"injected rate limit"}]}'),
        );
        return;
      case 'drop-request': {
        let received = 0;
        const expected = Number(req.headers['content-length'] ?? 0);
        req.on('data', (c: Buffer) => {
          received += c.length;
          if (received >= expected / 2) req.socket.destroy();
        });
        req.on('end', () => req.socket.destroy());
        return;
      }
      case 'drop-response':
        return forward(req, res, true);
      case 'cut-forward':
        return cutForward(req);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    bytesForwarded: () => forwardedBytes,
    host: `127.0.0.1:${port}`,
    url: base,
    injected: () => Object.values(byKind).reduce((a, b) => a + b, 0),
    injectedByKind: () => ({ ...byKind }),
    addRule: (rule) => rules.push({ ...rule, seen: 0, fired: 0 }),
    clearRules: () => rules.splice(0),
    authorizations,
    requests: () => requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
