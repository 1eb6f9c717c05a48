/**
 * The retention scenario on ghcr.io through the GitHub Packages API stand-in: every manifest is its own package
 * version (platform and attestation manifests untagged, as GitHub lists them), paginated; the manifests are read from
 * the registry side of the stand-in. No version a kept image references may be deleted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, readArtifact } from '../artifacts/artifacts';
import { retentionSchema } from '../config/options';
import { RegistryClient } from '../registry/client';
import { GithubPackages } from '../registry/github-packages';
import { GithubPackagesStore } from '../registry/manifest-store';
import { GithubStandIn, StandInVersion, startGithubStandIn } from '../registry/testing/github-stand-in';
import { FixtureImage, makeImage, retentionScenario, SCENARIO_NOW } from '../registry/testing/prune-fixtures';
import { schema as releaseSchema } from '../nx/executors/release/options';
import { runPruneAction } from './prune-action';
import { pruneRepository, PruneRequest } from './prune-run';

const TOKEN = 'ghp_prunestandin0000000000000000000000';

async function ghcr() {
  const s = retentionScenario();
  const versions: StandInVersion[] = [];
  const content = {
    manifests: new Map<string, { bytes: Buffer; mediaType: string }>(),
    blobs: new Map<string, Buffer>(),
  };
  const add = (image: FixtureImage, tags: string[], createdAt: string) => {
    for (const [d, b] of image.blobs) content.blobs.set(d, b);
    for (const m of image.manifests) {
      content.manifests.set(m.digest, { bytes: m.bytes, mediaType: m.mediaType });
      const tagged = m.digest === image.index.digest ? tags : [];
      versions.push({ id: versions.length + 1, digest: m.digest, tags: tagged, createdAt });
    }
  };
  for (const k of Object.keys(s.images)) add(s.images[k], s.tags[k], s.daysAgo(s.ages[k]));
  add(s.referrer, [s.fallbackTag], s.daysAgo(80));
  add(s.keptReferrer, [s.keptFallback], s.daysAgo(50));
  // Left over by an earlier cleanup that deleted an index only: its parts, untagged, no index lists them any more.
  const orphan = makeImage({ created: s.daysAgo(200) });
  add({ ...orphan, manifests: orphan.manifests.filter((m) => m.digest !== orphan.index.digest) }, [], s.daysAgo(200));
  versions.reverse(); // GitHub lists the newest first
  const api = await startGithubStandIn({
    ownerKind: 'orgs',
    owner: 'octo',
    packageName: 'lucid/svc',
    token: TOKEN,
    versions,
    perPage: 7,
    content,
  });
  const client = new RegistryClient({ registry: api.url.replace('http://', '') });
  const packages = new GithubPackages({
    token: TOKEN,
    owner: 'octo',
    packageName: 'lucid/svc',
    ownerType: 'org',
    apiUrl: api.url,
  });
  return { s, api, orphan, store: () => new GithubPackagesStore(client, 'octo/lucid/svc', packages) };
}

const request = (o: Partial<PruneRequest> = {}): PruneRequest => ({
  policy: retentionSchema.parse(retentionScenario().policy),
  dryRun: false,
  now: SCENARIO_NOW,
  say: () => undefined,
  ...o,
});

function expectKeptVersions(api: GithubStandIn, s: ReturnType<typeof retentionScenario>) {
  const left = new Set(api.versions.map((v) => v.digest));
  for (const image of [...s.kept.map((k) => s.images[k]), s.keptReferrer])
    for (const m of image.manifests)
      expect({ digest: m.digest, kept: left.has(m.digest) }).toEqual({ digest: m.digest, kept: true });
}

describe('prune on ghcr.io through the GitHub Packages API (stand-in)', () => {
  let env: Awaited<ReturnType<typeof ghcr>>;
  afterEach(() => env?.api.close());

  it('deletes no version a kept image references; deletes every other version, untagged leftovers too', async () => {
    env = await ghcr();
    const { s, api } = env;
    const lines: string[] = [];
    const out = await pruneRepository(env.store(), request({ say: (l) => lines.push(l) }));
    expectKeptVersions(api, s);
    const doomed = [...s.deleted.map((k) => s.images[k]), s.referrer].flatMap((i) => i.manifests.map((m) => m.digest));
    const orphans = env.orphan.manifests.filter((m) => m.digest !== env.orphan.index.digest).map((m) => m.digest);
    expect(new Set(out.done.map((d) => d.digest))).toEqual(new Set([...doomed, ...orphans]));
    expect(api.versions.map((v) => v.digest).filter((d) => doomed.includes(d) || orphans.includes(d))).toEqual([]);
    // The API was asked page by page (7 a page), and only DELETEs of versions changed anything.
    expect(api.requests.some((r) => r.path.includes('page=2'))).toBe(true);
    expect(lines.join('\n')).toMatch(/cannot delete tag 9{40} .*GitHub Packages removes a tag only with its manifest/);
  });

  it('--dry-run deletes no version', async () => {
    env = await ghcr();
    const before = env.api.versions.length;
    const out = await pruneRepository(env.store(), request({ dryRun: true }));
    expect(out.plan.steps.length).toBeGreaterThan(20);
    expect(env.api.versions.length).toBe(before);
    expect(env.api.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
  });

  it('interrupted after any version DELETE, kept versions stay; a rerun deletes the rest (GitHub lists untagged versions)', async () => {
    const steps = (await pruneRepository((env = await ghcr()).store(), request({ dryRun: true }))).plan.steps.length;
    await env.api.close();
    for (const stop of [1, 2, 5, Math.floor(steps / 2), steps - 1]) {
      env = await ghcr();
      let n = 0;
      const stopAt = () => {
        if (++n === stop) throw new Error('interrupted');
      };
      await expect(pruneRepository(env.store(), request({ afterStep: stopAt }))).rejects.toThrow('interrupted');
      expectKeptVersions(env.api, env.s);
      await pruneRepository(env.store(), request());
      expectKeptVersions(env.api, env.s);
      const left = env.api.versions.length;
      expect(left).toBe(
        [...env.s.kept.map((k) => env.s.images[k]), env.s.keptReferrer].flatMap((i) => i.manifests).length,
      );
      await env.api.close();
    }
    env = undefined as never;
  });
});

describe('container-release prune --deleteVia github (the action, options as the executor parses them)', () => {
  let env: Awaited<ReturnType<typeof ghcr>>;
  afterEach(() => env?.api.close());

  it('reaches the API with GHCR_TOKEN and the registry with no credentials; deletes what the spec above deletes', async () => {
    env = await ghcr();
    const host = env.api.url.replace('http://', '');
    const options = releaseSchema.parse({
      action: 'prune',
      registry: host,
      repository: 'octo/lucid',
      deleteVia: 'github',
      githubApiUrl: env.api.url,
      githubOwnerType: 'org',
      retention: retentionScenario().policy,
    });
    const lines: string[] = [];
    const workspaceRoot = mkdtempSync(join(tmpdir(), 'lucid-prune-audit-'));
    const out = await runPruneAction(
      'svc',
      { ...options, retention: options.retention, outputPath: 'dist/containers/svc' },
      { env: { GHCR_TOKEN: TOKEN }, log: (l) => lines.push(l), now: () => SCENARIO_NOW, workspaceRoot },
    );
    // Every deleted tag is an audit line of release.json (the tags of B, C, D, E and C's referrers tag).
    const { changes } = readArtifact(join(workspaceRoot, 'dist/containers/svc'), ARTIFACTS.release)!;
    expect(changes.every((c) => c.action === 'prune' && c.after === null && c.before !== null)).toBe(true);
    expect(changes.map((c) => c.tag).sort()).toEqual(
      [...env.s.deleted.flatMap((k) => env.s.tags[k]), env.s.fallbackTag].sort(),
    );
    rmSync(workspaceRoot, { recursive: true, force: true });
    expect(out.registryKind).toBe('github');
    expect(out.done.length).toBe(out.plan.steps.length);
    expectKeptVersions(env.api, env.s);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('without a token it says which to set, before deleting anything', async () => {
    env = await ghcr();
    const options = releaseSchema.parse({
      action: 'prune',
      registry: env.api.url.replace('http://', ''),
      repository: 'octo/lucid',
      deleteVia: 'github',
      githubApiUrl: env.api.url,
    });
    await expect(
      runPruneAction('svc', { ...options, retention: options.retention }, { env: {}, log: () => undefined }),
    ).rejects.toThrow(/pruned through the GitHub Packages API: set GHCR_TOKEN or GITHUB_TOKEN/);
    expect(env.api.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
  });
});
