/**
 * Registry retention on a real registry (Debian's docker-registry, distribution 2.8, delete enabled): two-platform
 * images with BuildKit attestation manifests, a referrer with its fallback tag, many sha tags, in two services that
 * share a base layer. The usage report's bytes equal the registry's blob storage; two prunes run at once; skopeo
 * (not our client) copies every kept tag completely and finds every deleted one gone; after the registry's own
 * garbage collection the report equals the storage again and every kept tag still copies.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../src/boundary/process';
import { schema as releaseSchema } from '../src/nx/executors/release/options';
import { runRelease } from '../src/nx/executors/release/executor';
import { RegistryClient } from '../src/registry/client';
import { makeImage, pushFixture, retentionScenario, SCENARIO_NOW } from '../src/registry/testing/prune-fixtures';
import { workspaceUsage } from '../src/release/workspace-retention';
import type { UsageReport } from '../src/release/usage';
import { startRegistry, TestRegistry } from './support/registry';
import { executorContext, skopeoTags } from './support/registry-check';

const NS = 'hamigames/lucid';
const env = { GITHUB_SHA: undefined, GITHUB_REF_NAME: undefined, GHCR_TOKEN: undefined, GITHUB_TOKEN: undefined };

/** Bytes of every blob file distribution stores (manifests are blobs there too), each digest once. */
function storedBytes(dataDir: string): number {
  const root = join(dataDir, 'data/docker/registry/v2/blobs/sha256');
  let total = 0;
  for (const prefix of readdirSync(root))
    for (const hex of readdirSync(join(root, prefix))) {
      const data = join(root, prefix, hex, 'data');
      try {
        total += statSync(data).size;
      } catch {
        /* a blob directory whose data GC removed */
      }
    }
  return total;
}

async function skopeoCopyAll(host: string, ref: string): Promise<{ exitCode: number; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-prune-copy-'));
  try {
    const r = await runProcess(
      'skopeo',
      ['copy', '--all', '--src-tls-verify=false', `docker://${host}/${ref}`, `dir:${dir}`],
      { allowFailure: true },
    );
    return { exitCode: r.exitCode, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let reg: TestRegistry;
const s = retentionScenario();
/** Twelve more builds, 101–112 days old, each with its <sha> and phase<N>-<sha> tags: all go. */
const OLD = Array.from({ length: 12 }, (_, i) => ({
  image: makeImage({ created: s.daysAgo(101 + i), base: s.base }),
  tags: [
    (i + 10).toString(16).padStart(2, '0').repeat(20),
    `phase2-${(i + 10).toString(16).padStart(2, '0').repeat(20)}`,
  ],
}));
const options = (project: string, o: Record<string, unknown> = {}) =>
  releaseSchema.parse({ registry: reg.host, repository: NS, retention: s.policy, ...o, _: undefined });
const usage = async (summary?: string): Promise<UsageReport> =>
  workspaceUsage(
    ['svc-a', 'svc-b'].map((project) => ({ project, options: { ...options(project), retention: s.policy } })),
    { json: true },
    { env: { ...env, GITHUB_STEP_SUMMARY: summary }, log: () => undefined },
  );
const prune = (lines: string[], o: Record<string, unknown> = {}) =>
  runRelease({ ...options('svc-a'), action: 'prune', ...o }, executorContext('/nonexistent', 'svc-a'), {
    env,
    log: (l) => lines.push(l),
    now: () => SCENARIO_NOW,
  });

afterAll(() => reg?.stop());

beforeAll(async () => {
  reg = await startRegistry();
  const client = new RegistryClient({ registry: reg.host });
  for (const k of Object.keys(s.images)) await pushFixture(client, `${NS}/svc-a`, s.images[k], s.tags[k]);
  for (const old of OLD) await pushFixture(client, `${NS}/svc-a`, old.image, old.tags);
  await pushFixture(client, `${NS}/svc-a`, s.referrer, [s.fallbackTag]);
  await pushFixture(client, `${NS}/svc-a`, s.keptReferrer, [s.keptFallback]);
  // svc-b: two images on the same base layer as svc-a's.
  for (const [i, days] of [3, 40].entries())
    await pushFixture(client, `${NS}/svc-b`, makeImage({ created: s.daysAgo(days), base: s.base }), [
      `${i}`.repeat(7) + 'abc',
      ...(i === 0 ? ['latest'] : []),
    ]);
});

describe('usage on a real registry', () => {
  it('usage: bytes per service equal what the registry stores; the shared base counts as shared', async () => {
    const summary = join(mkdtempSync(join(tmpdir(), 'lucid-summary-')), 'summary.md');
    writeFileSync(summary, '');
    const report = await usage(summary);
    expect(report.totalBytes).toBe(storedBytes(reg.dataDir));
    const [a, b] = report.services;
    expect(a.sharedBytes).toBe(4096);
    expect(b.sharedBytes).toBe(4096);
    expect([b.tags, b.indexes, b.manifests]).toEqual([3, 2, 10]);
    expect(a.bytes + b.bytes - 4096).toBe(report.totalBytes);
    expect(a.tags).toBe(Object.values(s.tags).flat().length + 2 + 24);
    expect(a.indexes).toBe(8 + 12); // image indexes; the 2 referrers fallback indexes count as manifests
    expect(a.manifests).toBe(20 * 5 + 2 * 2);
    expect(a.newestPush).toBe(s.daysAgo(5));
    expect(a.oldestPush).toBe(s.daysAgo(112));
    expect(readFileSync(summary, 'utf8')).toMatch(/### Registry usage\n\n\| service \| tags .*\n\| --- /);
  });

  it('container-release usage (one service): the same bytes, none counted as shared', async () => {
    const lines: string[] = [];
    const one = await runRelease({ ...options('svc-b'), action: 'usage' }, executorContext('/nonexistent', 'svc-b'), {
      env,
      log: (l) => lines.push(l),
    });
    const all = await usage();
    expect(one.usage!.services[0]).toMatchObject({ bytes: all.services[1].bytes, sharedBytes: 0 });
    expect(lines[0]).toMatch(/^service\s+tags\s+indexes/);
  });
});

describe('prune on a real registry', () => {
  it('--dry-run lists every deletion with reason and bytes and deletes nothing', async () => {
    const before = await skopeoTags(reg.host, `${NS}/svc-a`);
    const lines: string[] = [];
    const out = await prune(lines, { dryRun: true });
    expect(await skopeoTags(reg.host, `${NS}/svc-a`)).toEqual(before);
    const would = lines.filter((l) => l.includes('[dry-run] would delete'));
    expect(would.length).toBe(out.prune!.plan.steps.length);
    // 16 images × (index, 2 platforms, 2 attestations) + referrer + its fallback index
    expect(would.length).toBe(16 * 5 + 2);
    for (const l of would) expect(l).toMatch(/: .+; frees \d/);
  });

  it('two prunes at once: kept tags copy completely with skopeo, deleted ones are gone, blocked ones are said', async () => {
    const [one, two]: string[][] = [[], []];
    await Promise.all([prune(one), prune(two)]);
    const tags = await skopeoTags(reg.host, `${NS}/svc-a`);
    const kept = [...s.kept.flatMap((k) => s.keptTags[k]), ...s.blockedTags, s.keptFallback].sort();
    expect(tags).toEqual(kept);
    for (const tag of [...s.kept.flatMap((k) => s.keptTags[k]), ...s.blockedTags]) {
      const copy = await skopeoCopyAll(reg.host, `${NS}/svc-a:${tag}`);
      expect({ tag, ...copy }).toEqual({ tag, exitCode: 0, stderr: expect.any(String) });
    }
    for (const old of OLD) for (const tag of old.tags) expect(tags).not.toContain(tag);
    for (const k of s.deleted) {
      for (const tag of s.tags[k]) expect(tags).not.toContain(tag);
      const gone = await skopeoCopyAll(reg.host, `${NS}/svc-a@${s.images[k].index.digest}`);
      expect(gone.exitCode).not.toBe(0);
    }
    // The kept image's referrer stays; the dropped image's is gone.
    expect((await skopeoCopyAll(reg.host, `${NS}/svc-a@${s.keptReferrer.manifests[0].digest}`)).exitCode).toBe(0);
    expect((await skopeoCopyAll(reg.host, `${NS}/svc-a@${s.referrer.manifests[0].digest}`)).exitCode).not.toBe(0);
    const said = [...one, ...two].join('\n');
    expect(said).toMatch(new RegExp(`cannot delete tag ${'9'.repeat(40)} .*without tag DELETE`));
  });

  it("after the registry's own garbage collection, usage equals the storage again and kept tags still copy", async () => {
    await reg.kill();
    const gc = await runProcess('docker-registry', ['garbage-collect', join(reg.dataDir, 'config.yml')], {
      allowFailure: true,
    });
    expect(gc.exitCode).toBe(0);
    await reg.restart();
    const report = await usage();
    expect(report.totalBytes).toBe(storedBytes(reg.dataDir));
    for (const tag of s.kept.flatMap((k) => s.keptTags[k]))
      expect((await skopeoCopyAll(reg.host, `${NS}/svc-a:${tag}`)).exitCode).toBe(0);
  });
});
