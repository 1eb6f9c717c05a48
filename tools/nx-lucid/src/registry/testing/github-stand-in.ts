/**
 * A local stand-in for the GitHub Packages REST API (GitHub cannot be reached from tests), answering
 * with the recorded shape of api.github.com responses for container package versions:
 * a JSON array of { id, name: <digest>, url, package_html_url, created_at, updated_at, html_url,
 * metadata: { package_type: "container", container: { tags } } }, paginated with a Link header,
 * 204 on DELETE, 404 {"message":"Not Found"} for an unknown owner/package/version.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface StandInVersion {
  id: number;
  digest: string;
  tags: string[];
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
      created_at: '2024-05-06T05:20:30Z',
      updated_at: '2024-05-06T05:20:30Z',
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
