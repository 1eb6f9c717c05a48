/**
 * The Sigstore stand-in's process (plain Node: @sigstore/sign's HTTP stack loads ES modules that Jest's runtime
 * cannot): @sigstore/mock's CA, transparency log and TSA behind one loopback HTTP server, and the real @sigstore/sign
 * client signing through them. Protocol: it prints one JSON line {url, trustedRoot}; then, per stdin line
 * {id, statement, identity}, one line {id, bundle} or {id, error}. Started by sigstore-stand-in.ts only.
 */
'use strict';
const { createHash, generateKeyPairSync } = require('node:crypto');
const { createServer } = require('node:http');
const { createInterface } = require('node:readline');

const VALID_FROM = { start: '2020-01-01T00:00:00Z' };
const b64 = (b) => Buffer.from(b).toString('base64');
const b64url = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** An unsigned JWT: the stand-in CA takes `sub` as the SAN and `iss` as the issuer extension, as Fulcio would. */
function unsignedJwt(identity) {
  const exp = Math.floor(Date.now() / 1000) + 600;
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: identity.issuer, sub: identity.subject, aud: 'sigstore', exp })}.`;
}

function trustedRoot(url, tlog, ctlog, ca, tsa) {
  const key = (raw) => ({ rawBytes: b64(raw), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: VALID_FROM });
  const subject = { organization: 'stand-in', commonName: 'stand-in' };
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: key(tlog.publicKey),
        logId: { keyId: b64(createHash('sha256').update(tlog.publicKey).digest()) },
      },
    ],
    certificateAuthorities: [
      { subject, uri: url, certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] }, validFor: VALID_FROM },
    ],
    ctlogs: [
      { baseUrl: url, hashAlgorithm: 'SHA2_256', publicKey: key(ctlog.publicKey), logId: { keyId: b64(ctlog.logID) } },
    ],
    timestampAuthorities: [
      {
        subject,
        certChain: { certificates: [{ rawBytes: b64(tsa.intCertificate) }, { rawBytes: b64(tsa.rootCertificate) }] },
        validFor: VALID_FROM,
      },
    ],
  };
}

async function serve(handlers) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const fn = handlers.get(new URL(req.url || '/', 'http://x').pathname);
      if (!fn) return void res.writeHead(404).end();
      fn(Buffer.concat(chunks).toString()).then(({ statusCode, response, contentType }) => {
        res.writeHead(statusCode, { 'Content-Type': contentType || 'text/plain' });
        res.end(typeof response === 'string' ? response : Buffer.from(response));
      });
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${server.address().port}`;
}

async function main() {
  const mock = require('@sigstore/mock');
  const { DSSEBundleBuilder, FulcioSigner, RekorWitness, TSAWitness } = require('@sigstore/sign');
  const { bundleToJSON } = require('@sigstore/bundle');
  const keyPair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const handlers = new Map();
  const url = await serve(handlers);
  // One clock for every service, in whole seconds (the mock TSA would write milliseconds into genTime, which
  // @sigstore/core's DER time parser refuses), set once the CA and TSA certificates exist: their notBefore is the
  // real time of their making, cut to the second, and a timestamp before it would not verify. The services read
  // this Date object each time, so it is set after they are made.
  const clock = new Date(0);
  const ctlog = await mock.initializeCTLog(keyPair, clock);
  const ca = await mock.initializeCA(keyPair, ctlog, clock);
  const tlog = await mock.initializeTLog(url, keyPair, clock);
  const tsa = await mock.initializeTSA(keyPair, clock);
  clock.setTime((Math.floor(Date.now() / 1000) + 1) * 1000);
  for (const h of [mock.fulcioHandler(ca), mock.rekorHandler(tlog), mock.tsaHandler(tsa)]) handlers.set(h.path, h.fn);
  const sign = async (statement, identity) => {
    const builder = new DSSEBundleBuilder({
      signer: new FulcioSigner({
        fulcioBaseURL: url,
        identityProvider: { getToken: async () => unsignedJwt(identity) },
      }),
      witnesses: [new RekorWitness({ rekorBaseURL: url, entryType: 'intoto' }), new TSAWitness({ tsaBaseURL: url })],
    });
    const data = Buffer.from(JSON.stringify(statement));
    return bundleToJSON(await builder.create({ data, type: 'application/vnd.in-toto+json' }));
  };
  process.stdout.write(`${JSON.stringify({ url, trustedRoot: trustedRoot(url, tlog, ctlog, ca, tsa) })}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const { id, statement, identity } = JSON.parse(line);
    sign(statement, identity).then(
      (bundle) => process.stdout.write(`${JSON.stringify({ id, bundle })}\n`),
      (e) => process.stdout.write(`${JSON.stringify({ id, error: String((e && e.stack) || e) })}\n`),
    );
  });
  lines.on('close', () => process.exit(0));
}

if (require.main === module) main().catch((e) => (console.error(e), process.exit(1)));
