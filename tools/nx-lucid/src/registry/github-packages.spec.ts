import { ghcrPackage, GithubPackages } from './github-packages';
import { startGithubStandIn } from './testing/github-stand-in';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const token = 'ghp_standInToken000000000000';

describe('ghcrPackage', () => {
  it('splits owner and package', () => {
    expect(ghcrPackage('hamigames/lucid/auth-service')).toEqual({
      owner: 'hamigames',
      packageName: 'lucid/auth-service',
    });
    expect(() => ghcrPackage('solo')).toThrow(/no package below its owner/);
  });
});

describe('GithubPackages against a recorded-shape stand-in', () => {
  it('finds the organisation, pages through versions and deletes one by id', async () => {
    const versions = Array.from({ length: 5 }, (_, i) => ({
      id: 100 + i,
      digest: d(String(i)),
      tags: i === 3 ? ['v1.0.0'] : [],
    }));
    const api = await startGithubStandIn({
      ownerKind: 'orgs',
      owner: 'hamigames',
      packageName: 'lucid/auth-service',
      token,
      versions,
      perPage: 2,
    });
    try {
      const gh = new GithubPackages({ token, owner: 'hamigames', packageName: 'lucid/auth-service', apiUrl: api.url });
      expect((await gh.listVersions()).map((v) => v.id)).toEqual([100, 101, 102, 103, 104]);
      const v = await gh.versionForDigest(d('3'));
      expect(v?.metadata?.container?.tags).toEqual(['v1.0.0']);
      await gh.deleteVersion(v!.id);
      expect(api.versions.map((x) => x.id)).toEqual([100, 101, 102, 104]);
      expect(api.requests.at(-1)).toMatchObject({
        method: 'DELETE',
        path: '/orgs/hamigames/packages/container/lucid%2Fauth-service/versions/103',
      });
    } finally {
      await api.close();
    }
  });

  it('falls back to the user endpoints and reports API errors without the token', async () => {
    const api = await startGithubStandIn({
      ownerKind: 'users',
      owner: 'octo',
      packageName: 'svc',
      token,
      versions: [{ id: 7, digest: d('a'), tags: [] }],
    });
    try {
      const gh = new GithubPackages({ token, owner: 'octo', packageName: 'svc', apiUrl: api.url });
      expect((await gh.listVersions()).map((v) => v.name)).toEqual([d('a')]);
      await expect(gh.deleteVersion(999)).rejects.toThrow(
        /delete version 999 for octo\/svc failed: HTTP 404 Not Found/,
      );
      const bad = new GithubPackages({
        token: 'ghp_wrongToken123',
        owner: 'octo',
        packageName: 'svc',
        apiUrl: api.url,
        ownerType: 'user',
      });
      const err = await bad.listVersions().catch((e: Error) => e);
      expect(String(err)).toMatch(/HTTP 401 Bad credentials; the token needs read:packages and delete:packages/);
      expect(String(err)).not.toContain('ghp_wrongToken123');
    } finally {
      await api.close();
    }
  });
});
