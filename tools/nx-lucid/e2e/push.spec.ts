/**
 * container-push against a real registry (docker-registry on 127.0.0.1), checked with skopeo.
 * The build output is made by make-layout (no builder needed).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPush } from '../src/nx/executors/push/executor';
import { OciLayout } from '../src/oci/layout';
import { readPushSource } from '../src/push/push';
import { RegistryClient } from '../src/registry/client';
import { registryEnvPrefix } from '../src/registry/docker-credentials';
import { startFaultProxy } from './support/fault-proxy';
import { makeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';
import {
  catalog,
  executorContext,
  findIncompleteTags,
  registryState,
  skopeoManifest,
  skopeoTags,
} from './support/registry-check';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const noGitEnv = { GITHUB_SHA: undefined, GITHUB_REF_NAME: undefined, GHCR_TOKEN: undefined, GITHUB_TOKEN: undefined };

describe('container-push against a real registry', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
  });
  afterAll(async () => reg?.stop());

  const opts = (outputPath: string, extra: Record<string, unknown> = {}) => ({
    outputPath,
    registry: reg.host,
    repository: 'hamigames/lucid',
    sha: SHA,
    latest: 'always',
    ...extra,
  });

  it('dry-run prints the plan and touches nothing; the push then uploads blobs, manifests, index, and only then tags', async () => {
    const made = makeLayout({ project: 'auth-service', layerBytes: 64 * 1024, version: '1.2.0' });
    const ctx = executorContext(made.root, 'auth-service', { tags: ['phase:2'] });
    const dryLines: string[] = [];
    // A release push (--release-version): the v<semver> tag comes only from a release (issue 16).
    const release = { releaseVersion: '1.2.0' };
    const dry = await runPush(opts(made.outputPath, { ...release, dryRun: true }), ctx, {
      env: noGitEnv,
      log: (l) => dryLines.push(l),
    });
    expect(await catalog(reg.url)).toEqual([]);
    expect(existsSync(join(made.root, made.outputPath, 'push.json'))).toBe(false);
    expect(dry.blobs.uploaded).toBe(made.metadata.manifests.length * 2 + 1); // config + own layer per platform, one shared layer
    expect(dryLines.join('\n')).toMatch(/would upload/);
    expect(dryLines.join('\n')).toMatch(/tag latest would name/);

    const lines: string[] = [];
    const result = await runPush(opts(made.outputPath, release), ctx, { env: noGitEnv, log: (l) => lines.push(l) });
    const repo = 'hamigames/lucid/auth-service';
    expect(await skopeoTags(reg.host, repo)).toEqual([SHA, 'latest', `phase2-${SHA}`, 'v1.2.0'].sort());
    for (const tag of ['latest', 'v1.2.0', SHA, `phase2-${SHA}`]) {
      const { digest, manifest } = await skopeoManifest(reg.host, `${repo}:${tag}`);
      expect(digest).toBe(made.metadata.index.digest);
      expect(manifest.manifests?.map((m) => `${m.platform?.os}/${m.platform?.architecture}`)).toEqual([
        'linux/amd64',
        'linux/arm64',
      ]);
    }
    expect(result.digest).toBe(made.metadata.index.digest);
    // Order: every blob and manifest before the index, the index before the first tag.
    const firstTag = lines.findIndex((l) => l.includes('⇒ tag'));
    const indexPut = lines.findIndex((l) => l.includes('↑ index'));
    expect(indexPut).toBeGreaterThan(lines.map((l) => /↑ (sha256|manifest)/.test(l)).lastIndexOf(true));
    expect(firstTag).toBeGreaterThan(indexPut);
    expect(lines.at(-1)).toMatch(new RegExp(`pushed ${reg.host}/${repo}@${made.metadata.index.digest} tags: .*latest`));
    const record = JSON.parse(readFileSync(join(made.root, made.outputPath, 'push.json'), 'utf8'));
    expect(record).toMatchObject({ digest: made.metadata.index.digest, blobs: { uploaded: dry.blobs.uploaded } });
    expect(await findIncompleteTags(reg.url)).toEqual([]);

    // Re-pushing the unchanged image (as from a cache-restored build output) uploads no blob bytes.
    const again = await runPush(opts(made.outputPath, release), ctx, { env: noGitEnv, log: () => undefined });
    expect(again.blobs).toMatchObject({ uploaded: 0, uploadedBytes: 0, skipped: dry.blobs.uploaded });
    expect(again.tags).toEqual([]);
    expect(again.manifestsPut).toBe(0);
  });

  it('mounts a blob a sibling service already has instead of uploading it, and uploads big blobs in chunks', async () => {
    const first = makeLayout({ project: 'svc-a', sharedLayerBytes: 300 * 1024 });
    await runPush(opts(first.outputPath, { latest: 'never' }), executorContext(first.root, 'svc-a'), {
      env: noGitEnv,
      log: () => undefined,
    });
    const shared = readFileSync(
      join(first.layoutDir, 'blobs', 'sha256', first.metadata.manifests[0].configDigest.slice(7)),
    );
    expect(shared.length).toBeGreaterThan(0);
    const sharedLayer = (() => {
      const m = JSON.parse(
        readFileSync(join(first.layoutDir, 'blobs', 'sha256', first.metadata.manifests[0].digest.slice(7)), 'utf8'),
      );
      return readFileSync(join(first.layoutDir, 'blobs', 'sha256', m.layers[0].digest.slice(7)));
    })();
    const second = makeLayout({ project: 'svc-b', sharedLayer, layerBytes: 200 * 1024 });
    const ctx = executorContext(second.root, 'svc-b', { siblings: ['svc-a'] });
    const result = await runPush(opts(second.outputPath, { latest: 'never' }), ctx, {
      env: noGitEnv,
      log: () => undefined,
      client: { chunkedThreshold: 100 * 1024, chunkSize: 64 * 1024 },
    });
    expect(result.blobs.mounted).toBe(1);
    expect(result.blobs.mountedBytes).toBe(sharedLayer.length);
    expect(result.blobs.uploaded).toBe(4);
    // skopeo reads what the chunked upload wrote.
    expect((await skopeoManifest(reg.host, `hamigames/lucid/svc-b:${SHA}`)).digest).toBe(second.metadata.index.digest);
    expect(await findIncompleteTags(reg.url)).toEqual([]);
  });

  it('refuses bad input with a clear error and changes nothing in the registry', async () => {
    const made = makeLayout({ project: 'bad-input', version: '2.0.0' });
    const ctx = executorContext(made.root, 'bad-input');
    const before = await registryState(reg.host, reg.url);
    const run = (extra: Record<string, unknown>, context = ctx) =>
      runPush(opts(made.outputPath, extra), context, { env: noGitEnv, log: () => undefined });
    await expect(run({ version: '2.0' })).rejects.toThrow(/invalid version "2.0"/);
    await expect(run({ sha: 'NOT-A-SHA' })).rejects.toThrow(/invalid git SHA/);
    await expect(run({ repository: 'HamiGames/Lucid' })).rejects.toThrow(/repository .*lowercase/);
    const unknownProject = { ...executorContext(made.root, 'bad-input'), projectName: 'no-such-project' };
    await expect(run({}, unknownProject)).rejects.toThrow(/unknown project "no-such-project"/);
    await expect(run({ latest: 'sometimes' })).rejects.toThrow(/latest/);
    await expect(runPush(opts('dist/containers/missing'), ctx, { env: noGitEnv })).rejects.toThrow(
      /metadata.json not found: run the container-build target first/,
    );
    expect(await registryState(reg.host, reg.url)).toEqual(before);
  });

  it('follows a Bearer challenge with the LUCID_REGISTRY_<HOST>_* pair, never sends GHCR_TOKEN to a non-GHCR registry, and never prints the token', async () => {
    const token = 'ghp_s3cretTokenValue1234567890';
    const proxy = await startFaultProxy({
      upstreamPort: Number(reg.host.split(':')[1]),
      auth: { mode: 'bearer', password: token },
    });
    try {
      const made = makeLayout({ project: 'private-svc' });
      const ctx = executorContext(made.root, 'private-svc');
      const before = await registryState(reg.host, reg.url);
      const o = { ...opts(made.outputPath), registry: proxy.host };
      const pair = registryEnvPrefix(proxy.host);
      // A GitHub token is for ghcr.io only: this registry is told nothing, and names the variables to set.
      await expect(
        runPush(o, ctx, { env: { ...noGitEnv, GHCR_TOKEN: token, HOME: '/nonexistent' }, log: () => undefined }),
      ).rejects.toThrow(new RegExp(`requires authentication.*set ${pair}_USERNAME and ${pair}_PASSWORD`));
      expect(proxy.authorizations.filter((a) => a.includes(token) || a.startsWith('Basic '))).toEqual([]);
      await expect(
        runPush(o, ctx, { env: { ...noGitEnv, [`${pair}_PASSWORD`]: 'wrong-token-value' }, log: () => undefined }),
      ).rejects.toThrow(new RegExp(`credentials from ${pair}_PASSWORD .* were refused`));
      expect(await registryState(reg.host, reg.url)).toEqual(before);

      const lines: string[] = [];
      const result = await runPush(o, ctx, {
        env: { ...noGitEnv, [`${pair}_USERNAME`]: 'octo', [`${pair}_PASSWORD`]: token },
        log: (l) => lines.push(l),
      });
      expect(result.digest).toBe(made.metadata.index.digest);
      expect((await skopeoManifest(reg.host, 'hamigames/lucid/private-svc:latest')).digest).toBe(
        made.metadata.index.digest,
      );
      expect(proxy.authorizations.some((a) => a.startsWith('Bearer '))).toBe(true);
      expect(lines.join('\n')).not.toContain(token);
      expect(readFileSync(join(made.root, made.outputPath, 'push.json'), 'utf8')).not.toContain(token);

      // Through stdin, and a Basic-auth registry.
      const basic = await startFaultProxy({
        upstreamPort: Number(reg.host.split(':')[1]),
        auth: { mode: 'basic', username: 'ci', password: token },
      });
      try {
        const r = await runPush({ ...o, registry: basic.host, passwordStdin: true, username: 'ci' }, ctx, {
          env: noGitEnv,
          log: () => undefined,
          stdin: async () => `${token}\n`,
        });
        expect(r.unchangedTags.length + r.tags.length).toBeGreaterThan(0);
      } finally {
        await basic.close();
      }
    } finally {
      await proxy.close();
    }
  });

  it('lists tags across pages (Link header)', async () => {
    const client = new RegistryClient({ registry: reg.host });
    const tags = await client.listTags('hamigames/lucid/auth-service', 2);
    expect(tags.sort()).toEqual(await skopeoTags(reg.host, 'hamigames/lucid/auth-service'));
  });

  it('a no-op push (every tag already names the index) reads the tags and HEADs what they reach: nothing is sent', async () => {
    const made = makeLayout({ project: 'noop-service', layerBytes: 32 * 1024 });
    const ctx = executorContext(made.root, 'noop-service', { tags: ['phase:1'] });
    await runPush(opts(made.outputPath), ctx, { env: noGitEnv, log: () => undefined });
    const requests: string[] = [];
    const counting: typeof fetch = (input, init) => {
      requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    };
    const again = await runPush(opts(made.outputPath), ctx, {
      env: noGitEnv,
      log: () => undefined,
      client: { fetchImpl: counting },
    });
    const repo = 'hamigames/lucid/noop-service';
    expect(again.tags).toEqual([]);
    expect(again.unchangedTags.sort()).toEqual([SHA, 'latest', `phase1-${SHA}`].sort());
    expect(again.blobs).toMatchObject({ uploaded: 0, mounted: 0, skipped: again.blobs.total });
    // Besides the session's ping (GET /v2/): one HEAD per tag, then one per blob and platform manifest the tags
    // reach (a registry that lost them must be repaired, not trusted), nothing else.
    const reached = [
      ...made.metadata.manifests.map((m) => `HEAD /v2/${repo}/manifests/${m.digest}`),
      ...readPushSource(new OciLayout(made.layoutDir)).blobs.map((b) => `HEAD /v2/${repo}/blobs/${b.digest}`),
    ];
    expect(requests.filter((r) => r !== 'GET /v2/').sort()).toEqual(
      [...[SHA, 'latest', `phase1-${SHA}`].map((t) => `HEAD /v2/${repo}/manifests/${t}`), ...reached].sort(),
    );
    // The registry still serves the whole image by every tag.
    expect(await findIncompleteTags(reg.url)).toEqual([]);
  });
});
