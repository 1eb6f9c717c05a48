/**
 * Runs a prune plan on one repository, safe under interruption and beside another prune or a push: tags go first
 * (each only while it still names what the plan read), then manifests, parents before their parts; right before
 * each manifest DELETE the tags are read again and nothing a tag read at that moment reaches is deleted (a tag the
 * plan deletes counts only while it names another digest than planned). A DELETE that finds the manifest or tag
 * gone (another prune was first) is not an error. --dry-run prints every step and changes nothing.
 */
import { formatBytes as formatExact } from '../boundary/format-bytes';
import type { RetentionOptions } from '../config/options';
import { ManifestStore } from '../registry/manifest-store';
import { readRepositoryGraph, RepositoryGraph, withTags } from './prune-graph';
import { planPrune, PrunePlan, PruneStep, reachable } from './prune-plan';

export interface PruneRequest {
  policy: RetentionOptions;
  dryRun: boolean;
  now: Date;
  say: (line: string) => void;
  /** For tests: runs after each DELETE (an interruption is injected by throwing here). */
  afterStep?: (step: PruneStep) => void | Promise<void>;
  /** Called once the deletions stop, whether they finished or failed (the audit record). */
  record?: (outcome: PruneOutcome) => void;
}

export interface PruneOutcome {
  image: string;
  registryKind: ManifestStore['kind'];
  plan: PrunePlan;
  /** Steps carried out (none on --dry-run). */
  done: PruneStep[];
  /** Steps not carried out, and why (a tag moved, a manifest is reached again, or it was already gone). */
  skipped: Array<{ step: PruneStep; why: string }>;
  bytesFreed: number;
}

/** Deletion reports give the exact count beside the readable one. */
export const formatBytes = (n: number): string => formatExact(n, { exact: true });

function describeStep(step: PruneStep): string {
  if (step.kind === 'tag') return `tag ${step.tag} (${step.digest}): ${step.reason}; frees 0 bytes by itself`;
  const tags = step.tags.length ? ` with tag(s) ${step.tags.join(', ')}` : '';
  return `${step.manifestKind} ${step.digest}${tags}: ${step.reason}; frees ${formatBytes(step.bytes)}`;
}

function printPlan(store: ManifestStore, plan: PrunePlan, request: PruneRequest): void {
  const { say, dryRun } = request;
  const kept = plan.decisions.filter((d) => d.keep);
  const tagSteps = plan.steps.filter((s) => s.kind === 'tag').length;
  const manifests = plan.steps.length - tagSteps;
  say(
    `${dryRun ? '[dry-run] ' : ''}prune ${store.image}: keep ${kept.length} tag(s) and ${plan.kept.size} manifest(s); delete ${tagSteps} tag(s) alone and ${manifests} manifest(s); frees ${formatBytes(plan.bytesFreed)} in this repository (blob storage is reclaimed by the registry's own garbage collection)`,
  );
  for (const d of kept) say(`  keep ${d.tag} (${d.digest}): ${d.reason}`);
  for (const b of plan.blocked)
    say(
      `  cannot delete tag ${b.tag} (${b.digest}): ${b.reason}, and ${store.kind === 'github' ? 'GitHub Packages' : 'this registry (distribution API without tag DELETE)'} removes a tag only with its manifest`,
    );
  if (dryRun) for (const s of plan.steps) say(`  [dry-run] would delete ${describeStep(s)}`);
}

/** The tag that reaches `digest` among `roots`, for the message (the roots are few). */
function reacher(graph: RepositoryGraph, roots: Array<[string, string]>, digest: string): string {
  return roots.find(([, d]) => reachable(graph, [d]).has(digest))?.[0] ?? '?';
}

/** Whether the tags read now reach the manifest (tags the plan deletes count only if they moved). */
async function reachedNow(
  store: ManifestStore,
  graph: RepositoryGraph,
  plan: PrunePlan,
  digest: string,
): Promise<string | undefined> {
  const fresh = await withTags(store, graph, await store.readTags());
  const planned = new Map(plan.decisions.filter((d) => !d.keep).map((d) => [d.tag, d.digest]));
  const roots = [...fresh.tags].filter(([tag, d]) => planned.get(tag) !== d);
  // A tag naming a manifest that cannot be read may reach anything: delete nothing while it does.
  const unread = roots.find(([, d]) => fresh.missing.has(d));
  if (unread) return `${unread[0]} (its manifest ${unread[1]} cannot be read, so what it reaches is unknown)`;
  if (
    !reachable(
      fresh,
      roots.map(([, d]) => d),
    ).has(digest)
  )
    return undefined;
  return reacher(fresh, roots, digest);
}

async function runStep(
  store: ManifestStore,
  graph: RepositoryGraph,
  plan: PrunePlan,
  step: PruneStep,
): Promise<string | undefined> {
  if (step.kind === 'tag') {
    const now = await store.tagDigest(step.tag);
    if (now === undefined) return 'the tag is already gone';
    if (now !== step.digest) return `the tag names ${now} now, not ${step.digest}`;
    return (await store.deleteTag(step.tag)) === 'gone' ? 'the tag is already gone' : undefined;
  }
  const by = await reachedNow(store, graph, plan, step.digest);
  if (by) return `tag ${by}, read just now, reaches it`;
  return (await store.deleteManifest(step.digest)) === 'gone' ? 'the manifest is already gone' : undefined;
}

/** Reads the repository, plans, prints; unless --dry-run, deletes step by step. */
export async function pruneRepository(store: ManifestStore, request: PruneRequest): Promise<PruneOutcome> {
  const graph = await readRepositoryGraph(store);
  const plan = planPrune(graph, request.policy, request.now, await store.canDeleteTags());
  printPlan(store, plan, request);
  const outcome: PruneOutcome = {
    image: store.image,
    registryKind: store.kind,
    plan,
    done: [],
    skipped: [],
    bytesFreed: 0,
  };
  if (request.dryRun) return outcome;
  try {
    for (const step of plan.steps) {
      const why = await runStep(store, graph, plan, step);
      if (why) {
        outcome.skipped.push({ step, why });
        request.say(`  skipped ${describeStep(step)} — ${why}`);
      } else {
        outcome.done.push(step);
        outcome.bytesFreed += step.bytes;
        request.say(`  deleted ${describeStep(step)}`);
      }
      await request.afterStep?.(step);
    }
  } finally {
    request.record?.(outcome);
  }
  request.say(
    `✔ prune ${store.image}: ${outcome.done.length} deletion(s), ${outcome.skipped.length} skipped; frees ${formatBytes(outcome.bytesFreed)}`,
  );
  return outcome;
}
