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
  /** hostile: a text body echoing the secret in every encoding, and raw across the 200th character. */
  body: 'json' | 'text' | 'hostile';
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
    if (opts.body === 'hostile') {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(hostileEcho(auth ?? ''));
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

/**
 * What a hostile registry or proxy could echo of the Authorization header: the secret (the password of a Basic
 * value, or the bearer token) as is, URL-encoded, form-encoded, JSON-escaped, the header value URL-encoded, and the
 * raw secret and the header value again so that they straddle the 200th character (a naive cut's edge).
 */
export function hostileEcho(auth: string): string {
  const [scheme, value = ''] = auth.split(' ');
  const secret =
    scheme === 'Basic'
      ? Buffer.from(value, 'base64')
          .toString()
          .replace(/^[^:]*:/, '')
      : value;
  const straddle = 'x'.repeat(Math.max(0, 200 - 12));
  return [
    `${straddle}${secret}`,
    `password=${encodeURIComponent(secret)}&v=${encodeURIComponent(value)}`,
    `form=${encodeURIComponent(secret).replace(/%20/g, '+')}`,
    `{"password":${JSON.stringify(secret)},"escaped":${JSON.stringify(secret).replace(/\//g, '\\/')}}`,
    `raw ${secret} header ${value}`,
  ].join('\n');
}
