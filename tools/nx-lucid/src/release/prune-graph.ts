/**
 * A repository's manifests as a graph, read from the manifests themselves: an index's entries (platform manifests
 * and BuildKit's attestation manifests), a manifest's `subject` (an OCI referrer), the OCI referrers fallback tag
 * `sha256-<hex>` (an index listing the referrers of sha256:<hex>), each manifest's blobs with their sizes, and when
 * the image was created (the index annotation org.opencontainers.image.created, else the image config `created`).
 */
import { OCI } from '../image/labels';
import { isAttestationManifest } from '../oci/attestations';
import { ManifestStore } from '../registry/manifest-store';

export type ManifestKind = 'index' | 'image' | 'platform' | 'attestation' | 'referrer' | 'referrers-index';

export interface ManifestNode {
  digest: string;
  mediaType: string;
  /** Bytes of the manifest itself. */
  size: number;
  kind: ManifestKind;
  /** Manifests an index lists. */
  children: string[];
  /** Config and layers (and an artifact's blobs): digest → size. */
  blobs: Map<string, number>;
  /** The manifest this one refers to (OCI `subject`). */
  subject?: string;
  /** ISO 8601: when the image was created, where the manifest or its config says. */
  created?: string;
}

export interface RepositoryGraph {
  /** tag → digest as read. */
  tags: Map<string, string>;
  /** Every manifest reached from a tag or listed by the registry (GitHub versions). */
  nodes: Map<string, ManifestNode>;
  /** digest → push time, where the registry records one (GitHub Packages). */
  pushedAt: Map<string, string>;
  /** Digests a tag or an index names that the registry does not have. */
  missing: Set<string>;
}

/** `sha256-<hex>`: the OCI distribution spec's referrers tag schema for sha256:<hex>. */
export const FALLBACK_TAG = /^sha256-([0-9a-f]{64})$/;

/** cosign's tags for a digest's signature, attestation and SBOM (`sha256-<hex>.sig|.att|.sbom`): referrers too. */
const COSIGN_TAG = /^sha256-([0-9a-f]{64})\.(sig|att|sbom)$/;

/** The digest a referrers tag (the OCI fallback tag, or cosign's) is about; undefined for any other tag. */
export function fallbackSubject(tag: string): string | undefined {
  const m = FALLBACK_TAG.exec(tag) ?? COSIGN_TAG.exec(tag);
  return m ? `sha256:${m[1]}` : undefined;
}

interface ParsedManifest {
  mediaType?: string;
  manifests?: Array<{ digest: string; annotations?: Record<string, string> }>;
  config?: { digest: string; size: number; mediaType?: string };
  layers?: Array<{ digest: string; size: number }>;
  blobs?: Array<{ digest: string; size: number }>;
  subject?: { digest: string };
  annotations?: Record<string, string>;
}

function nodeFrom(digest: string, bytes: Buffer, mediaType: string, kind: ManifestKind | undefined): ManifestNode {
  const m = JSON.parse(bytes.toString('utf8')) as ParsedManifest;
  const blobs = new Map<string, number>();
  for (const b of [...(m.config ? [m.config] : []), ...(m.layers ?? []), ...(m.blobs ?? [])])
    blobs.set(b.digest, b.size);
  const isIndex = Array.isArray(m.manifests);
  return {
    digest,
    mediaType: m.mediaType ?? mediaType,
    size: bytes.length,
    kind: kind ?? (m.subject ? 'referrer' : isIndex ? 'index' : 'image'),
    children: (m.manifests ?? []).map((d) => d.digest),
    blobs,
    subject: m.subject?.digest,
    created: m.annotations?.[OCI.created],
  };
}

/** The kind a parent gives each of its entries: BuildKit's attestation entries, an index's platforms, a fallback's referrers. */
function childKinds(bytes: Buffer, parent: ManifestKind): Map<string, ManifestKind> {
  const m = JSON.parse(bytes.toString('utf8')) as ParsedManifest;
  const out = new Map<string, ManifestKind>();
  for (const d of m.manifests ?? [])
    out.set(
      d.digest,
      parent === 'referrers-index' ? 'referrer' : isAttestationManifest(d) ? 'attestation' : 'platform',
    );
  return out;
}

/** The config's `created`, for an image or the first platform of an index that carries no created annotation. */
async function createdFromConfig(store: ManifestStore, graph: RepositoryGraph, node: ManifestNode): Promise<void> {
  if (node.created || (node.kind !== 'index' && node.kind !== 'image')) return;
  const image =
    node.kind === 'image' ? node : node.children.map((c) => graph.nodes.get(c)).find((c) => c?.kind === 'platform');
  const configDigest = image ? [...image.blobs.keys()][0] : undefined;
  if (!configDigest) return;
  try {
    const config = JSON.parse((await store.getBlob(configDigest)).toString('utf8')) as {
      created?: string;
      config?: { Labels?: Record<string, string> | null };
    };
    node.created = config.created ?? config.config?.Labels?.[OCI.created];
  } catch {
    /* not JSON, or gone: the age stays unknown, and an image of unknown age is kept */
  }
}

/** Reads each queued manifest not yet in the graph, then what it lists; parents give their entries a kind. */
async function walk(store: ManifestStore, graph: RepositoryGraph, queue: string[], kinds: Map<string, ManifestKind>) {
  const todo = (d: string) => !graph.nodes.has(d) && !graph.missing.has(d);
  // Eight GETs at a time, in queue order: parents before children, so an index's entries take their kind from it
  // (an untagged entry the registry listed may come first: it is given its kind when its index is read).
  for (let i = 0; i < queue.length;) {
    const slice = queue.slice(i, i + 8);
    i += slice.length;
    const batch = [...new Set(slice)].filter(todo);
    const read = await Promise.all(batch.map(async (d) => [d, await store.getManifest(d)] as const));
    for (const [digest, stored] of read) {
      if (!stored) {
        graph.missing.add(digest);
        continue;
      }
      const node = nodeFrom(digest, stored.bytes, stored.mediaType, kinds.get(digest));
      graph.nodes.set(digest, node);
      for (const [child, kind] of childKinds(stored.bytes, node.kind)) {
        if (!kinds.has(child)) kinds.set(child, kind);
        const existing = graph.nodes.get(child);
        if (existing && existing.kind === 'image') existing.kind = kind;
        queue.push(child);
      }
    }
  }
}

/** Referrers the registry's referrers API names (untagged, so no tag reaches them otherwise), to a fixed point. */
async function addReferrers(store: ManifestStore, graph: RepositoryGraph, kinds: Map<string, ManifestKind>) {
  const asked = new Set<string>();
  for (let more = true; more;) {
    more = false;
    for (const digest of [...graph.nodes.keys()].filter((d) => !asked.has(d))) {
      asked.add(digest);
      const found = await store.referrers(digest);
      if (found === undefined) return; // no referrers API
      const fresh = found.filter((d) => !graph.nodes.has(d) && !graph.missing.has(d));
      for (const d of fresh) kinds.set(d, 'referrer');
      if (fresh.length) await walk(store, graph, fresh, kinds);
      more ||= fresh.length > 0;
    }
  }
}

/** Reads every tag and every manifest they (or the registry's own listing) reach. */
export async function readRepositoryGraph(store: ManifestStore): Promise<RepositoryGraph> {
  const tags = await store.readTags();
  const listed = await store.listManifests();
  const graph: RepositoryGraph = { tags, nodes: new Map(), pushedAt: new Map(), missing: new Set() };
  for (const [d, v] of listed ?? []) if (v.pushedAt) graph.pushedAt.set(d, v.pushedAt);
  const kinds = new Map<string, ManifestKind>();
  for (const [tag, digest] of tags) if (FALLBACK_TAG.test(tag)) kinds.set(digest, 'referrers-index');
  await walk(store, graph, [...new Set([...tags.values(), ...(listed?.keys() ?? [])])], kinds);
  await addReferrers(store, graph, kinds);
  // A tag read before another prune deleted it (and its manifest) is no tag any more.
  for (const [tag, digest] of tags)
    if (graph.missing.has(digest) && (await store.tagDigest(tag)) !== digest) tags.delete(tag);
  for (const node of graph.nodes.values()) await createdFromConfig(store, graph, node);
  return graph;
}

/** The graph with these tags instead (read again), and every manifest they reach that it did not hold yet. */
export async function withTags(
  store: ManifestStore,
  graph: RepositoryGraph,
  tags: Map<string, string>,
): Promise<RepositoryGraph> {
  const fresh: RepositoryGraph = { ...graph, tags, nodes: new Map(graph.nodes), missing: new Set() };
  const kinds = new Map<string, ManifestKind>();
  for (const [tag, digest] of tags) if (FALLBACK_TAG.test(tag)) kinds.set(digest, 'referrers-index');
  await walk(store, fresh, [...tags.values()], kinds);
  return fresh;
}
