/**
 * The prune plan, from a repository graph and a retention policy. Pure. What a kept tag names is kept with
 * everything it reaches: an index's platform and attestation manifests, every manifest whose `subject` is kept
 * (a referrer), the referrers fallback index `sha256-<hex>` of a kept manifest and what it lists — to a fixed point.
 * Steps: first the dropped tags of kept manifests (where the registry deletes a tag alone), then every manifest
 * nothing kept reaches, with the dropped tags that name it, each after every manifest that references it, so an interrupted prune never leaves a manifest whose
 * parts are gone. Where a tag goes only with its manifest (distribution 2.8, GitHub Packages), a tag whose
 * manifest is kept cannot be removed: it is reported, not deleted.
 */
import type { RetentionOptions } from '../config/options';
import { fallbackSubject, ManifestKind, RepositoryGraph } from './prune-graph';
import { decideTags, TagDecision } from './prune-policy';

export type PruneStep =
  | { kind: 'tag'; tag: string; digest: string; reason: string; bytes: 0 }
  | {
      kind: 'manifest';
      digest: string;
      manifestKind: ManifestKind;
      reason: string;
      /** The manifest's bytes and those of the blobs no kept manifest of this repository references. */
      bytes: number;
      /** Tags that go with it (they name it; the policy deletes each). */
      tags: string[];
    };

export interface PrunePlan {
  decisions: TagDecision[];
  /** Every digest kept: named by a kept tag or reached from one. */
  kept: Set<string>;
  steps: PruneStep[];
  /** Tags the policy deletes that this registry cannot remove: their manifest is kept, and a tag goes only with it. */
  blocked: Array<{ tag: string; digest: string; reason: string }>;
  bytesFreed: number;
}

/** Everything the roots reach: index entries, referrers by subject, referrers fallback indexes, to a fixed point. */
export function reachable(graph: RepositoryGraph, roots: Iterable<string>): Set<string> {
  const bySubject = new Map<string, string[]>();
  for (const n of graph.nodes.values())
    if (n.subject) bySubject.set(n.subject, [...(bySubject.get(n.subject) ?? []), n.digest]);
  for (const [tag, digest] of graph.tags) {
    const subject = fallbackSubject(tag);
    if (subject) bySubject.set(subject, [...(bySubject.get(subject) ?? []), digest]);
  }
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const d = stack.pop()!;
    if (seen.has(d)) continue;
    seen.add(d);
    stack.push(...(graph.nodes.get(d)?.children ?? []), ...(bySubject.get(d) ?? []));
  }
  return seen;
}

/** The referrers fallback tags: kept exactly while the manifest they name is. */
function fallbackDecisions(graph: RepositoryGraph, kept: Set<string>): TagDecision[] {
  const out: TagDecision[] = [];
  for (const [tag, digest] of graph.tags) {
    const subject = fallbackSubject(tag);
    if (!subject) continue;
    out.push(
      kept.has(subject)
        ? { tag, digest, keep: true, reason: `referrers of kept ${subject}` }
        : { tag, digest, keep: false, reason: `referrers of ${subject}, which is not kept` },
    );
  }
  return out;
}

/** Manifests to delete, each after every manifest that references it (as an entry or as its subject's referrer). */
function parentsFirst(graph: RepositoryGraph, doomed: Set<string>): string[] {
  const refs = new Map<string, number>([...doomed].map((d) => [d, 0]));
  const edges = (d: string) => {
    const n = graph.nodes.get(d)!;
    return [...n.children, ...(n.subject ? [n.subject] : [])].filter((c) => doomed.has(c) && c !== d);
  };
  for (const d of doomed) for (const c of edges(d)) refs.set(c, refs.get(c)! + 1);
  const ready = [...doomed].filter((d) => refs.get(d) === 0).sort();
  const out: string[] = [];
  while (ready.length) {
    const d = ready.shift()!;
    out.push(d);
    for (const c of edges(d)) {
      refs.set(c, refs.get(c)! - 1);
      if (refs.get(c) === 0) ready.push(c);
    }
  }
  return out;
}

function manifestReason(kind: ManifestKind, tags: string[]): string {
  const what = kind === 'index' || kind === 'image' ? `${kind}` : `${kind} manifest`;
  return tags.length ? `${what}; its tags go: no kept tag reaches it` : `${what} no kept tag reaches`;
}

export function planPrune(
  graph: RepositoryGraph,
  policy: RetentionOptions,
  now: Date,
  canDeleteTags: boolean,
): PrunePlan {
  const created = (d: string) => graph.nodes.get(d)?.created;
  const policyDecisions = decideTags(graph.tags, created, policy, now);
  const kept = reachable(
    graph,
    policyDecisions.filter((d) => d.keep).map((d) => d.digest),
  );
  const unread = policyDecisions.filter((d) => d.keep && graph.missing.has(d.digest));
  if (unread.length)
    // What it reaches is unknown, so anything could be a part of it: nothing is deleted.
    throw new Error(
      `kept tag(s) ${unread.map((d) => `${d.tag} (${d.digest})`).join(', ')} name a manifest the registry did not return; nothing was deleted (rerun once it answers)`,
    );
  const decisions = [...policyDecisions, ...fallbackDecisions(graph, kept)];
  const dropped = decisions.filter((d) => !d.keep);
  const steps: PruneStep[] = [];
  const blocked: PrunePlan['blocked'] = [];
  // A dropped tag whose manifest goes anyway goes with it (one DELETE, and no untagged leftover the distribution API
  // could no longer list); a dropped tag naming a kept manifest is deleted alone where the registry can.
  for (const d of dropped.filter((x) => kept.has(x.digest))) {
    if (canDeleteTags) steps.push({ kind: 'tag', tag: d.tag, digest: d.digest, reason: d.reason, bytes: 0 });
    else blocked.push({ tag: d.tag, digest: d.digest, reason: `${d.reason}; its manifest is kept` });
  }
  const keptBlobs = new Set([...kept].flatMap((d) => [...(graph.nodes.get(d)?.blobs.keys() ?? [])]));
  const freed = new Set<string>();
  const doomed = new Set([...graph.nodes.keys()].filter((d) => !kept.has(d)));
  for (const digest of parentsFirst(graph, doomed)) {
    const node = graph.nodes.get(digest)!;
    let bytes = node.size;
    for (const [blob, size] of node.blobs)
      if (!keptBlobs.has(blob) && !freed.has(blob)) {
        freed.add(blob);
        bytes += size;
      }
    const tags = dropped.filter((d) => d.digest === digest).map((d) => d.tag);
    steps.push({
      kind: 'manifest',
      digest,
      manifestKind: node.kind,
      reason: manifestReason(node.kind, tags),
      bytes,
      tags,
    });
  }
  return { decisions, kept, steps, blocked, bytesFreed: steps.reduce((s, x) => s + x.bytes, 0) };
}
