/**
 * A stand-in registry that answers every authorized request with an error echoing the Authorization
 * header it got, as a misbehaving registry or proxy would: a JSON DENIED body, or plain text. It asks for
 * Basic credentials, or (bearer) sends clients to its token endpoint, which hands out `bearerToken`.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface EchoRegistry {
  /** host:port */
  host: string;
  close(): Promise<void>;
}

export async function startEchoRegistry(opts: {
  scheme: 'basic' | 'bearer';
  bearerToken?: string;
  body: 'json' | 'text';
}): Promise<EchoRegistry> {
  let host = '';
  const server: Server = createServer((req, res) => {
    const auth = req.headers.authorization;
    if (req.url?.startsWith('/token')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ token: opts.bearerToken, access_token: opts.bearerToken }));
      return;
    }
    const wanted = opts.scheme === 'basic' ? /^Basic /.test(auth ?? '') : auth === `Bearer ${opts.bearerToken}`;
    if (!wanted) {
      const challenge =
        opts.scheme === 'basic' ? 'Basic realm="echo"' : `Bearer realm="http://${host}/token",service="echo"`;
      res.writeHead(401, { 'WWW-Authenticate': challenge, 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    if (opts.body === 'json') {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [{ code: 'DENIED', message: `bad header ${auth}`, detail: `got Authorization: ${auth}` }],
        }),
      );
    } else {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(`bad request; Authorization=${auth}; header was ${auth}`);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, close: () => new Promise<void>((r) => server.close(() => r())) };
}
