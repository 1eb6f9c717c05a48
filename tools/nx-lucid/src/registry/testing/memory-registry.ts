/**
 * An in-process OCI registry stand-in for specs (loopback HTTP, memory only): blobs (monolithic upload), manifests by
 * tag or digest, tag lists, and — when `referrersApi` is set — the OCI 1.1 referrers API
 * (`GET /v2/<name>/referrers/<digest>`, the `OCI-Subject` header on a PUT with a subject), as the distribution spec
 * describes it. Without it, it answers the referrers endpoint 404 as Debian's docker-registry 2.8 does. Spec-only.
 */
import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface MemoryRegistry {
  /** host:port */
  host: string;
  blobs: Map<string, Buffer>;
  /** `<repo>@<digest>` → bytes and media type. */
  manifests: Map<string, { bytes: Buffer; mediaType: string }>;
  /** `<repo>:<tag>` → digest. */
  tags: Map<string, string>;
  /** Every request, `METHOD path`. */
  requests: string[];
  /** Called before a manifest PUT is stored: lets a spec interleave a concurrent writer. */
  beforeManifestPut?: (repo: string, reference: string) => Promise<void> | void;
  /** Called after a manifest PUT is stored, before the answer: lets a spec overwrite it as a racing writer would. */
  afterManifestPut?: (repo: string, reference: string) => Promise<void> | void;
  close(): Promise<void>;
}

/** Stores a manifest (and its tag) directly, as another client's earlier push would have. */
export function storeManifest(reg: MemoryRegistry, repo: string, doc: object, tag?: string): string {
  const bytes = Buffer.from(JSON.stringify(doc));
  const digest = digestOf(bytes);
  const mediaType = (doc as { mediaType?: string }).mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
  reg.manifests.set(`${repo}@${digest}`, { bytes, mediaType });
  if (tag) reg.tags.set(`${repo}:${tag}`, digest);
  return digest;
}

const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const INDEX = 'application/vnd.oci.image.index.v1+json';

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function notFound(res: ServerResponse, code = 'MANIFEST_UNKNOWN'): void {
  res.writeHead(404, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code, message: 'unknown' }] }));
}

/** The referrers of a subject: every stored manifest of the repository whose `subject` names it. */
function referrersOf(reg: MemoryRegistry, repo: string, subject: string, artifactType: string | null): object {
  const manifests: object[] = [];
  for (const [key, m] of reg.manifests) {
    if (!key.startsWith(`${repo}@`)) continue;
    const doc = JSON.parse(m.bytes.toString('utf8')) as {
      subject?: { digest: string };
      artifactType?: string;
      config?: { mediaType: string };
      annotations?: Record<string, string>;
    };
    if (doc.subject?.digest !== subject) continue;
    const type = doc.artifactType ?? doc.config?.mediaType;
    if (artifactType && type !== artifactType) continue;
    manifests.push({
      mediaType: m.mediaType,
      digest: key.slice(repo.length + 1),
      size: m.bytes.length,
      ...(type ? { artifactType: type } : {}),
      ...(doc.annotations ? { annotations: doc.annotations } : {}),
    });
  }
  return { schemaVersion: 2, mediaType: INDEX, manifests };
}

async function manifestRoute(
  reg: MemoryRegistry,
  req: IncomingMessage,
  res: ServerResponse,
  repo: string,
  ref: string,
  referrersApi: boolean,
): Promise<void> {
  const digest = ref.startsWith('sha256:') ? ref : reg.tags.get(`${repo}:${ref}`);
  if (req.method === 'PUT') {
    const bytes = await body(req);
    await reg.beforeManifestPut?.(repo, ref);
    const d = digestOf(bytes);
    const mediaType = String(req.headers['content-type'] ?? '');
    reg.manifests.set(`${repo}@${d}`, { bytes, mediaType });
    if (!ref.startsWith('sha256:')) reg.tags.set(`${repo}:${ref}`, d);
    await reg.afterManifestPut?.(repo, ref);
    const subject = (JSON.parse(bytes.toString('utf8')) as { subject?: { digest: string } }).subject?.digest;
    const headers: Record<string, string> = { 'Docker-Content-Digest': d, Location: `/v2/${repo}/manifests/${d}` };
    if (referrersApi && subject) headers['OCI-Subject'] = subject;
    res.writeHead(201, headers);
    res.end();
    return;
  }
  const m = digest ? reg.manifests.get(`${repo}@${digest}`) : undefined;
  if (!m || !digest) return notFound(res);
  res.writeHead(200, {
    'Content-Type': m.mediaType,
    'Docker-Content-Digest': digest,
    'Content-Length': String(m.bytes.length),
    ETag: `"${digest}"`,
  });
  res.end(req.method === 'HEAD' ? undefined : m.bytes);
}

async function blobRoute(reg: MemoryRegistry, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const upload = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(url.pathname);
  if (upload && req.method === 'POST') {
    res.writeHead(202, { Location: `/v2/${upload[1]}/blobs/uploads/u${reg.requests.length}`, 'Content-Length': '0' });
    res.end();
    return true;
  }
  if (upload && req.method === 'PUT') {
    const bytes = await body(req);
    const digest = url.searchParams.get('digest') ?? '';
    if (digestOf(bytes) !== digest) {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'DIGEST_INVALID', message: 'digest mismatch' }] }));
      return true;
    }
    reg.blobs.set(digest, bytes);
    res.writeHead(201, { 'Docker-Content-Digest': digest, Location: `/v2/${upload[1]}/blobs/${digest}` });
    res.end();
    return true;
  }
  const blob = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
  if (!blob) return false;
  const bytes = reg.blobs.get(blob[2]);
  if (!bytes) {
    notFound(res, 'BLOB_UNKNOWN');
    return true;
  }
  res.writeHead(200, { 'Content-Length': String(bytes.length), 'Docker-Content-Digest': blob[2] });
  res.end(req.method === 'HEAD' ? undefined : bytes);
  return true;
}

export async function startMemoryRegistry(opts: { referrersApi: boolean }): Promise<MemoryRegistry> {
  const reg: MemoryRegistry = {
    host: '',
    blobs: new Map(),
    manifests: new Map(),
    tags: new Map(),
    requests: [],
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    reg.requests.push(`${req.method} ${url.pathname}`);
    void route(reg, req, res, url, opts.referrersApi).catch((e: Error) => {
      res.writeHead(500);
      res.end(e.message);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  reg.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  reg.close = () => new Promise<void>((r) => server.close(() => r()));
  return reg;
}

async function route(
  reg: MemoryRegistry,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  referrersApi: boolean,
): Promise<void> {
  if (url.pathname === '/v2/') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{}');
    return;
  }
  if (await blobRoute(reg, req, res, url)) return;
  const referrers = /^\/v2\/(.+)\/referrers\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
  if (referrers) {
    if (!referrersApi) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found');
    res.writeHead(200, { 'Content-Type': INDEX });
    res.end(JSON.stringify(referrersOf(reg, referrers[1], referrers[2], url.searchParams.get('artifactType'))));
    return;
  }
  const tagList = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
  if (tagList) {
    const tags = [...reg.tags.keys()].filter((k) => k.startsWith(`${tagList[1]}:`)).map((k) => k.split(':').pop()!);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ name: tagList[1], tags }));
    return;
  }
  const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
  if (manifest) return manifestRoute(reg, req, res, manifest[1], manifest[2], referrersApi);
  res.writeHead(404);
  res.end();
}
