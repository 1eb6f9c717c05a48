/**
 * GitHub Packages REST API for container packages: ghcr.io does not honour DELETE /v2/.../manifests,
 * so a version (a digest) is deleted through GET/DELETE /{orgs|users}/{owner}/packages/container/{package}/versions.
 */
import { redactSecrets } from '../boundary/redaction';
import { nextLink } from './client';

export interface PackageVersion {
  id: number;
  /** The manifest digest, for container packages. */
  name: string;
  /** When the version was pushed (ISO 8601). */
  created_at?: string;
  metadata?: { package_type?: string; container?: { tags?: string[] } };
}

export interface GithubPackagesOptions {
  token: string;
  /** ghcr.io/<owner>/<package…>: the first path segment. */
  owner: string;
  /** The rest of the repository path, e.g. lucid/auth-service. */
  packageName: string;
  ownerType?: 'auto' | 'org' | 'user';
  apiUrl?: string;
  fetchImpl?: typeof fetch;
}

/** ghcr.io repository path → owner and package name (the package name keeps its slashes; the API wants them encoded). */
export function ghcrPackage(repository: string): { owner: string; packageName: string } {
  const [owner, ...rest] = repository.split('/');
  if (!owner || rest.length === 0) throw new Error(`ghcr.io repository "${repository}" has no package below its owner`);
  return { owner, packageName: rest.join('/') };
}

export class GithubPackages {
  private readonly apiUrl: string;
  private readonly fetchImpl: typeof fetch;
  private base?: string;

  constructor(private readonly o: GithubPackagesOptions) {
    this.apiUrl = (o.apiUrl ?? 'https://api.github.com').replace(/\/$/, '');
    this.fetchImpl = o.fetchImpl ?? fetch;
  }

  private headers(): Record<string, string> {
    return {
      Accept: 'application/vnd.github+json',
      'X-GitHub-Api-Version': '2022-11-28',
      Authorization: `Bearer ${this.o.token}`,
      'User-Agent': 'nx-lucid',
    };
  }

  private prefix(kind: 'orgs' | 'users'): string {
    return `${this.apiUrl}/${kind}/${encodeURIComponent(this.o.owner)}/packages/container/${encodeURIComponent(this.o.packageName)}`;
  }

  private async fail(res: Response, what: string): Promise<never> {
    let detail = '';
    try {
      detail = ((await res.json()) as { message?: string }).message ?? '';
    } catch {
      /* no JSON body */
    }
    const hint = res.status === 401 || res.status === 403 ? '; the token needs read:packages and delete:packages' : '';
    throw new Error(
      redactSecrets(
        `GitHub Packages API: ${what} for ${this.o.owner}/${this.o.packageName} failed: HTTP ${res.status}${detail ? ` ${detail}` : ''}${hint}`,
        [this.o.token],
      ),
    );
  }

  /** The versions URL prefix, finding out (once) whether the owner is an organisation or a user. */
  private async resolveBase(): Promise<string> {
    if (this.base) return this.base;
    const type = this.o.ownerType ?? 'auto';
    if (type !== 'auto') return (this.base = this.prefix(type === 'org' ? 'orgs' : 'users'));
    const res = await this.fetchImpl(`${this.prefix('orgs')}/versions?per_page=1`, { headers: this.headers() });
    await res.body?.cancel();
    if (res.status === 404) return (this.base = this.prefix('users'));
    if (!res.ok) await this.fail(res, 'list versions');
    return (this.base = this.prefix('orgs'));
  }

  async listVersions(): Promise<PackageVersion[]> {
    const base = await this.resolveBase();
    const out: PackageVersion[] = [];
    let url: string | undefined = `${base}/versions?per_page=100&state=active`;
    while (url) {
      const res = await this.fetchImpl(url, { headers: this.headers() });
      if (!res.ok) await this.fail(res, 'list versions');
      out.push(...((await res.json()) as PackageVersion[]));
      url = nextLink(res.headers.get('link'));
    }
    return out;
  }

  async versionForDigest(digest: string): Promise<PackageVersion | undefined> {
    return (await this.listVersions()).find((v) => v.name === digest);
  }

  async deleteVersion(id: number): Promise<void> {
    if ((await this.deleteVersionIfPresent(id)) === 'gone') {
      await this.fail(new Response(JSON.stringify({ message: 'Not Found' }), { status: 404 }), `delete version ${id}`);
    }
  }

  /** DELETE a version; 'gone' when the API no longer has it (another run deleted it first). */
  async deleteVersionIfPresent(id: number): Promise<'deleted' | 'gone'> {
    const base = await this.resolveBase();
    const res = await this.fetchImpl(`${base}/versions/${id}`, { method: 'DELETE', headers: this.headers() });
    if (res.status === 404) {
      await res.body?.cancel();
      return 'gone';
    }
    if (res.status !== 204 && !res.ok) await this.fail(res, `delete version ${id}`);
    await res.body?.cancel();
    return 'deleted';
  }
}
