/**
 * A local stand-in for the GitHub Packages REST API (GitHub cannot be reached from tests), answering
 * with the recorded shape of api.github.com responses for container package versions:
 * a JSON array of { id, name: <digest>, url, package_html_url, created_at, updated_at, html_url,
 * metadata: { package_type: "container", container: { tags } } }, paginated with a Link header,
 * 204 on DELETE, 404 {"message":"Not Found"} for an unknown owner/package/version. Like ghcr.io, every manifest
 * of a multi-platform image is its own version (platform and attestation manifests untagged), and with `manifests`
 * it also answers as the registry (/v2/<owner>/<package>/manifests|blobs, anonymous pull of a public package):
 * deleting a version deletes its manifest there.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface StandInVersion {
  id: number;
  digest: string;
  tags: string[];
  /** created_at (push time); a fixed date when unset. */
  createdAt?: string;
}

/** What the stand-in serves as the registry: manifests and blobs by digest. */
export interface StandInContent {
  manifests: Map<string, { bytes: Buffer; mediaType: string }>;
  blobs: Map<string, Buffer>;
}

/** Serves GET/HEAD /v2/, /v2/<repo>/manifests/<digest|tag>, /v2/<repo>/blobs/<digest>; false when not a /v2 path. */
function serveRegistry(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  repo: string,
  content: StandInContent | undefined,
  versions: StandInVersion[],
): boolean {
  if (!content || !path.startsWith('/v2/')) return false;
  const send = (status: number, body: Buffer | string, type = 'application/json', digest?: string) =>
    res
      .writeHead(status, {
        'Content-Type': type,
        'Content-Length': String(Buffer.byteLength(body)),
        ...(digest ? { 'Docker-Content-Digest': digest } : {}),
      })
      .end(req.method === 'HEAD' ? undefined : body);
  if (path === '/v2/') return (send(200, '{}'), true);
  const m = new RegExp(`^/v2/${repo}/(manifests|blobs)/([^/]+)$`).exec(path);
  const unknown = () =>
    send(404, JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
  if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) return (unknown(), true);
  if (m[1] === 'blobs') {
    const blob = content.blobs.get(m[2]);
    return (blob ? send(200, blob, 'application/octet-stream', m[2]) : unknown(), true);
  }
  const digest = m[2].startsWith('sha256:') ? m[2] : versions.find((v) => v.tags.includes(m[2]))?.digest;
  const manifest = digest ? content.manifests.get(digest) : undefined;
  return (manifest ? send(200, manifest.bytes, manifest.mediaType, digest) : unknown(), true);
}

export interface GithubStandIn {
  url: string;
  /** Remaining versions. */
  versions: StandInVersion[];
  requests: Array<{ method: string; path: string; authorization?: string }>;
  close(): Promise<void>;
}

export async function startGithubStandIn(opts: {
  ownerKind: 'orgs' | 'users';
  owner: string;
  packageName: string;
  token: string;
  versions: StandInVersion[];
  perPage?: number;
  /** Serve these as the registry too. */
  content?: StandInContent;
}): Promise<GithubStandIn> {
  const versions = [...opts.versions];
  const requests: GithubStandIn['requests'] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      authorization: req.headers.authorization,
    });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res
        .writeHead(status, {
          'Content-Type': 'application/json; charset=utf-8',
          'X-GitHub-Api-Version-Selected': '2022-11-28',
          ...headers,
        })
        .end(JSON.stringify(body));
    if (serveRegistry(req, res, url.pathname, `${opts.owner}/${opts.packageName}`, opts.content, versions)) return;
    if (req.headers.authorization !== `Bearer ${opts.token}`)
      return json(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    const prefix = `/${opts.ownerKind}/${opts.owner}/packages/container/${encodeURIComponent(opts.packageName)}/versions`;
    if (!url.pathname.startsWith(prefix))
      return json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const rest = url.pathname.slice(prefix.length);
    const html = `https://github.com/${opts.ownerKind}/${opts.owner}/packages/container/package/${opts.packageName}`;
    const shape = (v: StandInVersion) => ({
      id: v.id,
      name: v.digest,
      url: `https://api.github.com${prefix}/${v.id}`,
      package_html_url: html,
      created_at: v.createdAt ?? '2024-05-06T05:20:30Z',
      updated_at: v.createdAt ?? '2024-05-06T05:20:30Z',
      html_url: `https://github.com/${opts.ownerKind}/${opts.owner}/packages/container/${opts.packageName}/${v.id}`,
      metadata: { package_type: 'container', container: { tags: v.tags } },
    });
    if (req.method === 'GET' && rest === '') {
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), opts.perPage ?? 100);
      const page = Number(url.searchParams.get('page') ?? 1);
      const slice = versions.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = {};
      if (page * perPage < versions.length) {
        const next = new URL(url.toString());
        next.searchParams.set('page', String(page + 1));
        headers.Link = `<${next.toString()}>; rel="next"`;
      }
      return json(200, slice.map(shape), headers);
    }
    const m = /^\/(\d+)$/.exec(rest);
    if (m && req.method === 'DELETE') {
      const i = versions.findIndex((v) => v.id === Number(m[1]));
      if (i < 0) return json(404, { message: 'Not Found' });
      opts.content?.manifests.delete(versions[i].digest);
      versions.splice(i, 1);
      return res.writeHead(204).end();
    }
    return json(404, { message: 'Not Found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    versions,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
