/**
 * container-release against a real registry, checked with skopeo: push → promote → rollback keeps
 * latest on the intended version's digest with both platforms; create/list/delete; dry-run and bad
 * input change nothing; `nx run … promote v1.2.0` positional arguments through the real Nx CLI.
 */
import { resolve } from 'node:path';
import { runProcess } from '../src/boundary/process';
import { runPush } from '../src/nx/executors/push/executor';
import { runRelease } from '../src/nx/executors/release/executor';
import { startGithubStandIn } from '../src/registry/testing/github-stand-in';
import { makeLayout, MadeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';
import { executorContext, registryState, skopeoManifest, skopeoTags } from './support/registry-check';

const WORKSPACE = resolve(__dirname, '../../..');
const PROJECT = 'auth-service';
const REPO = `hamigames/lucid/${PROJECT}`;
const env = { GITHUB_SHA: undefined, GITHUB_REF_NAME: undefined, GHCR_TOKEN: undefined, GITHUB_TOKEN: undefined };

describe('container-release against a real registry', () => {
  let reg: TestRegistry;
  const builds: Record<string, MadeLayout> = {};
  const ctx = () => executorContext('/nonexistent', PROJECT);
  const release = (
    o: Record<string, unknown>,
    lines: string[] = [],
    extraEnv: Record<string, string | undefined> = {},
  ) =>
    runRelease({ registry: reg.host, repository: 'hamigames/lucid', ...o }, ctx(), {
      env: { ...env, ...extraEnv },
      log: (l) => lines.push(l),
    });
  const latestIs = async (version: string) => {
    const latest = await skopeoManifest(reg.host, `${REPO}:latest`);
    expect(latest.digest).toBe(builds[version].metadata.index.digest);
    expect(latest.digest).toBe((await skopeoManifest(reg.host, `${REPO}:${version}`)).digest);
    expect(latest.manifest.manifests?.map((m) => `${m.platform?.os}/${m.platform?.architecture}`)).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
  };

  beforeAll(async () => {
    reg = await startRegistry();
    for (const [i, v] of ['v1.0.0', 'v1.1.0', 'v1.2.0'].entries()) {
      const made = makeLayout({ project: PROJECT, version: v.slice(1) });
      await runPush(
        {
          outputPath: made.outputPath,
          registry: reg.host,
          repository: 'hamigames/lucid',
          sha: String(i + 1).repeat(40),
          latest: 'always',
          // Each build is released as its version (the v<semver> tag comes only from a release).
          releaseVersion: v.slice(1),
        },
        executorContext(made.root, PROJECT),
        { env, log: () => undefined },
      );
      builds[v] = made;
    }
  });
  afterAll(async () => reg?.stop());

  it('push → promote → rollback: latest names the intended version each time, with both platforms', async () => {
    await latestIs('v1.2.0');
    await release({ action: 'rollback' });
    await latestIs('v1.1.0');
    await release({ action: 'promote', version: 'v1.2.0' });
    await latestIs('v1.2.0');
    await release({ action: 'rollback', version: '1.0.0' });
    await latestIs('v1.0.0');
    await release({ action: 'promote', version: 'v1.2.0' });
    await latestIs('v1.2.0');
  });

  it('takes positional arguments and --release-version through the real Nx CLI', async () => {
    const nx = (args: string[]) =>
      runProcess('npx', ['nx', 'run', `${PROJECT}:container-release`, ...args], {
        cwd: WORKSPACE,
        env: {
          ...process.env,
          ...env,
          NX_DAEMON: 'false',
          NX_NO_CLOUD: 'true',
          LUCID_REGISTRY: reg.host,
          LUCID_REPOSITORY: 'hamigames/lucid',
        } as NodeJS.ProcessEnv,
        allowFailure: true,
      });
    const promote = await nx(['promote', 'v1.1.0']);
    expect(promote.stdout + promote.stderr).toMatch(/latest → v1.1.0/);
    await latestIs('v1.1.0');
    const back = await nx(['--action=promote', '--release-version=v1.2.0']);
    expect(back.exitCode).toBe(0);
    await latestIs('v1.2.0');
    const bad = await nx(['promote', 'v7.0.0']);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/version v7.0.0 does not exist/);
    await latestIs('v1.2.0');
  });

  it('every action has a dry-run that prints the change and makes none', async () => {
    const before = await registryState(reg.host, reg.url);
    for (const o of [
      { action: 'promote', version: 'v1.0.0' },
      { action: 'rollback' },
      { action: 'create', version: 'v3.0.0', from: 'v1.1.0' },
      { action: 'delete', version: 'v1.1.0' },
    ]) {
      const lines: string[] = [];
      await release({ ...o, dryRun: true }, lines);
      expect(lines.join('\n')).toMatch(/\[dry-run\] would (PUT|DELETE)/);
    }
    expect(await registryState(reg.host, reg.url)).toEqual(before);
  });

  it('refuses bad input with a clear error and changes nothing', async () => {
    const before = await registryState(reg.host, reg.url);
    await expect(release({ action: 'promote', version: 'v9.9.9' })).rejects.toThrow(
      /version v9.9.9 does not exist .* \(versions: v1.2.0, v1.1.0, v1.0.0\)/,
    );
    await expect(release({ action: 'rollback', version: 'v1.x' })).rejects.toThrow(/invalid version "v1.x"/);
    await expect(release({ action: 'create', version: 'v1.0.0', from: 'v1.1.0' })).rejects.toThrow(
      /already exists .* immutable/,
    );
    await expect(release({ action: 'create', version: 'v4.0.0', from: 'nope' })).rejects.toThrow(
      /--from tag "nope" does not exist/,
    );
    await expect(release({ action: 'launch' })).rejects.toThrow(/action/);
    await expect(release({ action: 'promote', version: 'v1.0.0', repository: 'HamiGames/lucid' })).rejects.toThrow(
      /lowercase/,
    );
    await expect(
      runRelease({ action: 'list', registry: reg.host }, { ...ctx(), projectName: 'ghost' }, { env }),
    ).rejects.toThrow(/unknown project "ghost"/);
    await expect(release({ action: 'delete', version: 'v1.2.0' })).rejects.toThrow(
      /still named by latest; promote or roll back latest first/,
    );
    expect(await registryState(reg.host, reg.url)).toEqual(before);
  });

  it('create copies a version by digest; list shows it; delete removes a version no other tag needs', async () => {
    await release({ action: 'create', version: '2.0.0', from: 'v1.1.0' });
    expect((await skopeoManifest(reg.host, `${REPO}:v2.0.0`)).digest).toBe(builds['v1.1.0'].metadata.index.digest);
    const listed = await release({ action: 'list' });
    expect(listed.versions?.map((v) => v.tag)).toEqual(['v2.0.0', 'v1.2.0', 'v1.1.0', 'v1.0.0']);
    expect(listed.versions?.find((v) => v.latest)?.tag).toBe('v1.2.0');

    // v1.0.0 is named only by itself and its sha/phase tags: deleted by digest, tags go with it.
    await release({ action: 'delete', version: 'v1.0.0' });
    const tags = await skopeoTags(reg.host, REPO);
    expect(tags).not.toContain('v1.0.0');
    expect(tags).not.toContain('1'.repeat(40));
    expect(tags).toContain('v1.1.0');
    // v2.0.0 shares v1.1.0's digest: refused, then forced.
    await expect(release({ action: 'delete', version: 'v2.0.0' })).rejects.toThrow(/still named by v1.1.0/);
    await release({ action: 'delete', version: 'v2.0.0', force: true });
    expect(await skopeoTags(reg.host, REPO)).not.toContain('v1.1.0');
    await latestIs('v1.2.0');
  });

  it('deletes through the GitHub Packages API (recorded-shape stand-in) when the registry is GHCR-like', async () => {
    const token = 'ghp_releaseStandInToken0000';
    const latest = builds['v1.2.0'].metadata.index.digest;
    const v120 = { id: 9001, digest: latest, tags: ['latest', 'v1.2.0'] };
    const api = await startGithubStandIn({
      ownerKind: 'users',
      owner: 'hamigames',
      packageName: `lucid/${PROJECT}`,
      token,
      versions: [v120, { id: 9002, digest: 'sha256:' + 'e'.repeat(64), tags: [] }],
    });
    try {
      await release({ action: 'create', version: 'v5.0.0', from: 'latest' });
      const before = await registryState(reg.host, reg.url);
      const lines: string[] = [];
      await expect(
        release({ action: 'delete', version: 'v5.0.0', deleteVia: 'github', githubApiUrl: api.url }, lines, {
          GITHUB_TOKEN: token,
        }),
      ).rejects.toThrow(/still named by latest, v1.2.0/);
      await release(
        { action: 'delete', version: 'v5.0.0', force: true, deleteVia: 'github', githubApiUrl: api.url },
        lines,
        { GITHUB_TOKEN: token },
      );
      expect(api.versions.map((v) => v.id)).toEqual([9002]);
      expect(api.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([
        `/users/hamigames/packages/container/lucid%2F${PROJECT}/versions/9001`,
      ]);
      expect(lines.join('\n')).toMatch(/DELETE GitHub package version 9001/);
      expect(lines.join('\n')).not.toContain(token);
      // The registry itself was not touched by the GitHub path.
      expect(await registryState(reg.host, reg.url)).toEqual(before);
      await expect(
        release({ action: 'delete', version: 'v5.0.0', force: true, deleteVia: 'github', githubApiUrl: api.url }),
      ).rejects.toThrow(/set GHCR_TOKEN or GITHUB_TOKEN/);
    } finally {
      await api.close();
    }
  });
});
