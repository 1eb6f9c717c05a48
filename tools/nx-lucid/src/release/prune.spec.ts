import { retentionSchema } from '../config/options';
import { MemoryStore } from '../registry/testing/memory-store';
import { makeReferrer, retentionScenario, SCENARIO_NOW } from '../registry/testing/prune-fixtures';
import { readRepositoryGraph } from './prune-graph';
import { planPrune, PruneStep } from './prune-plan';
import { isShaTag } from './prune-policy';
import { pruneRepository, PruneRequest } from './prune-run';

const NOW = SCENARIO_NOW;
const sha = (c: string) => c.repeat(40);
const policy = retentionSchema.parse(retentionScenario().policy);

/** The scenario in a memory store (distribution's semantics), with or without tag DELETE. */
function repository(tagDelete = false) {
  const s = retentionScenario();
  const store = new MemoryStore(tagDelete);
  for (const k of Object.keys(s.images)) store.push(s.images[k], s.tags[k]);
  store.push(s.referrer, [s.fallbackTag]);
  store.push(s.keptReferrer, [s.keptFallback]);
  return { store, ...s };
}

const request = (o: Partial<PruneRequest> = {}): PruneRequest => ({
  policy,
  dryRun: false,
  now: NOW,
  say: () => undefined,
  ...o,
});

const KEPT = ['A', 'F', 'G', 'H'];
const DELETED = ['B', 'C', 'D', 'E'];

/** An afterStep that pushes `tag` → `digest` once, after the first deletion (a push landing mid-prune). */
function tagOnce(store: { tags: Map<string, string> }, tag: string, digest: string) {
  let pushed = false;
  return () => {
    if (pushed) return;
    pushed = true;
    store.tags.set(tag, digest);
  };
}

describe('prune: the plan', () => {
  it('keeps semver, latest, branch, young and the newest sha images with every part and referrer; deletes the rest parents first', async () => {
    const r = repository();
    const plan = planPrune(await readRepositoryGraph(r.store), policy, NOW, false);
    const manifestSteps = plan.steps.filter(
      (s): s is Extract<PruneStep, { kind: 'manifest' }> => s.kind === 'manifest',
    );
    const doomed = new Set([
      ...DELETED.flatMap((k) => r.images[k].manifests.map((m) => m.digest)),
      ...r.referrer.manifests.map((m) => m.digest),
    ]);
    expect(new Set(manifestSteps.map((s) => s.digest))).toEqual(doomed);
    for (const k of KEPT) for (const m of r.images[k].manifests) expect(plan.kept.has(m.digest)).toBe(true);
    for (const m of r.keptReferrer.manifests) expect(plan.kept.has(m.digest)).toBe(true);
    // Every manifest is deleted after every deleted manifest that lists it or is its referrer.
    const position = new Map(manifestSteps.map((s, i) => [s.digest, i]));
    for (const m of [...DELETED.flatMap((k) => r.images[k].manifests), ...r.referrer.manifests]) {
      const parsed = JSON.parse(m.bytes.toString()) as {
        manifests?: Array<{ digest: string }>;
        subject?: { digest: string };
      };
      for (const c of parsed.manifests ?? []) expect(position.get(m.digest)!).toBeLessThan(position.get(c.digest)!);
      if (parsed.subject) expect(position.get(m.digest)!).toBeLessThan(position.get(parsed.subject.digest)!);
    }
    // distribution 2.8: the old sha tags of kept images cannot go without their manifest.
    expect(plan.blocked.map((b) => b.tag).sort()).toEqual(r.blockedTags.sort());
  });

  it('counts the bytes it frees: each deleted manifest and the blobs no kept manifest references', async () => {
    const r = repository();
    const plan = planPrune(await readRepositoryGraph(r.store), policy, NOW, false);
    const kept = new Set([...KEPT.map((k) => r.images[k]), r.keptReferrer].flatMap((i) => [...i.blobs.keys()]));
    const gone = [...DELETED.map((k) => r.images[k]), r.referrer];
    const blobs = new Map(gone.flatMap((i) => [...i.blobs].filter(([d]) => !kept.has(d))));
    const expected =
      gone.flatMap((i) => i.manifests).reduce((s, m) => s + m.bytes.length, 0) +
      [...blobs.values()].reduce((s, b) => s + b.length, 0);
    expect(plan.bytesFreed).toBe(expected);
    expect(expected).toBeGreaterThan(4 * 2 * 2048);
  });

  it('sha tags: <sha>, phase<N>-<sha>, sha-<short>; not semver or words', () => {
    expect([sha('a'), `phase2-${sha('b')}`, 'sha-1a2b3c4', 'main', 'v1.2.3', 'pr-15'].map(isShaTag)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

function expectKeptWhole(r: ReturnType<typeof repository>) {
  expect(r.store.integrity()).toEqual([]);
  for (const k of KEPT) for (const t of r.keptTags[k]) expect(r.store.tags.get(t)).toBe(r.images[k].index.digest);
  for (const m of r.keptReferrer.manifests) expect(r.store.manifests.has(m.digest)).toBe(true);
  expect(r.store.tags.get(r.keptFallback)).toBe(r.keptReferrer.index.digest);
}

describe('prune: running it', () => {
  it('--dry-run prints every deletion with its reason and bytes, and changes nothing', async () => {
    const r = repository();
    const lines: string[] = [];
    const before = JSON.stringify([...r.store.tags]) + r.store.manifests.size;
    const out = await pruneRepository(r.store, request({ dryRun: true, say: (l) => lines.push(l) }));
    expect(JSON.stringify([...r.store.tags]) + r.store.manifests.size).toBe(before);
    expect(r.store.deletes).toEqual([]);
    const would = lines.filter((l) => l.includes('[dry-run] would delete'));
    expect(would).toHaveLength(out.plan.steps.length);
    for (const l of would) expect(l).toMatch(/: .+; frees \d/);
    expect(lines.join('\n')).toContain(`cannot delete tag ${sha('9')}`);
  });

  it('distribution without tag DELETE: every dropped image goes with its tags; kept tags stay whole', async () => {
    const r = repository();
    const out = await pruneRepository(r.store, request());
    expect(out.skipped).toEqual([]);
    expect([...r.store.tags.keys()].sort()).toEqual([...KEPT.flatMap((k) => r.tags[k]), r.keptFallback].sort());
    expectKeptWhole(r);
    for (const k of DELETED) for (const m of r.images[k].manifests) expect(r.store.manifests.has(m.digest)).toBe(false);
  });

  it('with tag DELETE: the dropped tags of kept images go alone, first', async () => {
    const r = repository(true);
    await pruneRepository(r.store, request());
    expect(r.store.tags.has(sha('a'))).toBe(false);
    expect(r.store.tags.has(sha('9'))).toBe(false);
    expect(r.store.tags.get('v1.0.0')).toBe(r.images.A.index.digest);
    const firstManifest = r.store.deletes.findIndex((d) => d.startsWith('manifest'));
    expect(r.store.deletes.slice(firstManifest).every((d) => d.startsWith('manifest'))).toBe(true);
    expect(r.store.integrity()).toEqual([]);
  });
});

describe('prune: interrupted, concurrent, raced by a push', () => {
  it('an interruption after any deletion step leaves every kept tag whole; a rerun finishes the job', async () => {
    const steps = (await pruneRepository(repository().store, request({ dryRun: true }))).plan.steps.length;
    expect(steps).toBeGreaterThan(20);
    for (let stop = 1; stop <= steps; stop++) {
      for (const tagDelete of [false, true]) {
        const r = repository(tagDelete);
        let n = 0;
        const interrupted = pruneRepository(
          r.store,
          request({
            afterStep: () => {
              if (++n === stop) throw new Error('interrupted');
            },
          }),
        );
        await expect(interrupted).rejects.toThrow('interrupted');
        expectKeptWhole(r);
        await pruneRepository(r.store, request());
        expectKeptWhole(r);
        for (const k of DELETED) expect(r.store.manifests.has(r.images[k].index.digest)).toBe(false);
        // What is left of them is untagged: no tag reaches it (the distribution API cannot list it; GC removes it).
        const graph = await readRepositoryGraph(r.store);
        for (const k of DELETED) for (const m of r.images[k].manifests) expect(graph.nodes.has(m.digest)).toBe(false);
      }
    }
  });

  it('two prunes at once: both finish, the kept tags stay whole, nothing is deleted twice as an error', async () => {
    const r = repository();
    const [a, b] = await Promise.all([pruneRepository(r.store, request()), pruneRepository(r.store, request())]);
    expectKeptWhole(r);
    expect(a.done.length + b.done.length).toBeGreaterThanOrEqual(a.plan.steps.length);
    for (const k of DELETED) expect(r.store.manifests.has(r.images[k].index.digest)).toBe(false);
  });

  it('a tag pushed while it runs protects what it names: re-read before each manifest DELETE', async () => {
    const r = repository();
    const dry = await pruneRepository(r.store, request({ dryRun: true }));
    const indexes = dry.plan.steps.filter((s) => s.kind === 'manifest' && s.manifestKind === 'index');
    const last = indexes[indexes.length - 1];
    const out = await pruneRepository(r.store, request({ afterStep: tagOnce(r.store, 'hotfix', last.digest) }));
    expect(r.store.tags.get('hotfix')).toBe(last.digest);
    expect(r.store.integrity()).toEqual([]);
    expect(out.skipped.map((s) => s.step.digest)).toContain(last.digest);
    expect(out.skipped.find((s) => s.step.digest === last.digest)!.why).toMatch(
      /tag hotfix, read just now, reaches it/,
    );
  });
});

describe('prune: referrers from the OCI referrers API (untagged, no fallback tag)', () => {
  it('keeps the referrer of a kept image; deletes that of a dropped one, before its subject', async () => {
    const s = retentionScenario();
    const store = new MemoryStore(false, true);
    for (const k of Object.keys(s.images)) store.push(s.images[k], s.tags[k]);
    const only = (subject: string) => {
      const { referrer } = makeReferrer(s.images[subject].index);
      const manifest = referrer.manifests[0];
      store.pushUntagged({ index: manifest, manifests: [manifest], blobs: referrer.blobs });
      return manifest.digest;
    };
    const keptRef = only('G');
    const droppedRef = only('D');
    const out = await pruneRepository(store, request());
    expect(store.manifests.has(keptRef)).toBe(true);
    expect(store.manifests.has(droppedRef)).toBe(false);
    const order = out.done.map((d) => d.digest);
    expect(order.indexOf(droppedRef)).toBeLessThan(order.indexOf(s.images.D.index.digest));
    expect(out.done.find((d) => d.digest === droppedRef)).toMatchObject({ manifestKind: 'referrer' });
  });
});

describe('prune: cosign tags (sha256-<hex>.sig) follow their subject', () => {
  it('the signature tag of a kept image stays; that of a dropped image goes with it', async () => {
    const s = retentionScenario();
    const store = new MemoryStore();
    for (const k of Object.keys(s.images)) store.push(s.images[k], s.tags[k]);
    const sign = (k: string) => {
      const { referrer } = makeReferrer(s.images[k].index);
      const manifest = referrer.manifests[0];
      const tag = `${s.images[k].index.digest.replace(':', '-')}.sig`;
      store.push({ index: manifest, manifests: [manifest], blobs: referrer.blobs }, [tag]);
      return tag;
    };
    const kept = sign('G');
    const dropped = sign('D');
    await pruneRepository(store, request());
    expect(store.tags.has(kept)).toBe(true);
    expect(store.tags.has(dropped)).toBe(false);
    expect(store.integrity()).toEqual([]);
  });
});

describe('prune: a kept tag whose manifest cannot be read', () => {
  it('deletes nothing (what it reaches is unknown)', async () => {
    const r = repository();
    r.store.manifests.delete(r.images.G.index.digest); // latest names it; the registry no longer returns it
    const before = r.store.manifests.size;
    await expect(pruneRepository(r.store, request())).rejects.toThrow(
      /kept tag\(s\) .*latest \(sha256:[0-9a-f]{64}\) name a manifest the registry did not return; nothing was deleted/,
    );
    expect(r.store.manifests.size).toBe(before);
    expect(r.store.deletes).toEqual([]);
  });

  it('a tag deleted with its manifest between the tag listing and the manifest read (another prune) is left out', async () => {
    const r = repository();
    const readTags = r.store.readTags.bind(r.store);
    r.store.readTags = async () => {
      const tags = await readTags();
      await r.store.deleteManifest(r.images.D.index.digest); // another prune, right after our listing
      return tags;
    };
    const out = await pruneRepository(r.store, request());
    expect(out.plan.decisions.map((d) => d.tag)).not.toContain(sha('d'));
    expect(r.store.integrity()).toEqual([]);
  });

  it('a tag pushed meanwhile naming a manifest that cannot be read stops every later manifest DELETE', async () => {
    const r = repository();
    const out = await pruneRepository(
      r.store,
      request({ afterStep: tagOnce(r.store, 'hotfix', `sha256:${'f'.repeat(64)}`) }),
    );
    expect(out.done).toHaveLength(1);
    expect(out.skipped.length).toBe(out.plan.steps.length - 1);
    expect(out.skipped[0].why).toMatch(/hotfix \(its manifest sha256:f{64} cannot be read/);
  });
});

describe('prune: reading the graph', () => {
  it('reads every part of every tagged image, whatever the batch boundaries (two tags on one index)', async () => {
    const s = retentionScenario();
    for (const count of [1, 2, 3, 9]) {
      const store = new MemoryStore();
      const keys = Object.keys(s.images).slice(0, count);
      for (const k of keys)
        store.push(
          s.images[k],
          ['latest', ...s.tags[k]].slice(0, 2).map((t) => `${k}-${t}`),
        );
      const graph = await readRepositoryGraph(store);
      expect(graph.nodes.size).toBe(keys.length * 5);
    }
  });
});
