/**
 * A repository in memory with distribution's semantics, for retention unit specs: a manifest is taken only when
 * everything it lists is there; DELETE by digest removes the manifest and every tag naming it; a tag DELETE works
 * only when `tagDelete` is set (distribution 2.8 has none). `integrity()` says which tag no longer pulls whole.
 */
import type { ManifestStore, StoredManifest } from '../manifest-store';
import type { FixtureImage } from './prune-fixtures';

export class MemoryStore implements ManifestStore {
  readonly kind = 'distribution' as const;
  readonly image = 'memory.test/repo';
  readonly tags = new Map<string, string>();
  readonly manifests = new Map<string, StoredManifest>();
  readonly blobs = new Map<string, Buffer>();
  readonly deletes: string[] = [];

  constructor(
    private readonly tagDelete = false,
    /** Answer the OCI referrers API (from each manifest's `subject`), as distribution 3 does. */
    private readonly referrersApi = false,
  ) {}

  /** Manifests without a tag (a referrer pushed through the referrers API). */
  pushUntagged(image: FixtureImage): void {
    this.push(image, []);
  }

  async referrers(digest: string): Promise<string[] | undefined> {
    if (!this.referrersApi) return undefined;
    return [...this.manifests]
      .filter(
        ([, m]) =>
          (JSON.parse(m.bytes.toString('utf8')) as { subject?: { digest: string } }).subject?.digest === digest,
      )
      .map(([d]) => d);
  }

  push(image: FixtureImage, tags: string[]): void {
    for (const [d, b] of image.blobs) this.blobs.set(d, b);
    for (const m of image.manifests) this.manifests.set(m.digest, { bytes: m.bytes, mediaType: m.mediaType });
    for (const t of tags) this.tags.set(t, image.index.digest);
  }

  async canDeleteTags(): Promise<boolean> {
    return this.tagDelete;
  }
  async readTags(): Promise<Map<string, string>> {
    return new Map(this.tags);
  }
  async tagDigest(tag: string): Promise<string | undefined> {
    return this.tags.get(tag);
  }
  async listManifests(): Promise<undefined> {
    return undefined;
  }
  async getManifest(digest: string): Promise<StoredManifest | undefined> {
    return this.manifests.get(digest);
  }
  async getBlob(digest: string): Promise<Buffer> {
    const b = this.blobs.get(digest);
    if (!b) throw new Error(`blob unknown ${digest}`);
    return b;
  }
  async deleteTag(tag: string): Promise<'deleted' | 'gone'> {
    if (!this.tagDelete) throw new Error('tag DELETE unsupported');
    this.deletes.push(`tag ${tag}`);
    return this.tags.delete(tag) ? 'deleted' : 'gone';
  }
  async deleteManifest(digest: string): Promise<'deleted' | 'gone'> {
    this.deletes.push(`manifest ${digest}`);
    if (!this.manifests.delete(digest)) return 'gone';
    for (const [t, d] of this.tags) if (d === digest) this.tags.delete(t);
    return 'deleted';
  }

  /** Every tag whose manifest, every manifest it lists (recursively), and their blobs are all here; else the problems. */
  integrity(): string[] {
    const problems: string[] = [];
    const check = (tag: string, digest: string) => {
      const m = this.manifests.get(digest);
      if (!m) return problems.push(`${tag}: manifest ${digest} missing`);
      const parsed = JSON.parse(m.bytes.toString('utf8')) as {
        manifests?: Array<{ digest: string }>;
        config?: { digest: string };
        layers?: Array<{ digest: string }>;
      };
      for (const c of parsed.manifests ?? []) check(tag, c.digest);
      for (const b of [...(parsed.config ? [parsed.config] : []), ...(parsed.layers ?? [])])
        if (!this.blobs.has(b.digest)) problems.push(`${tag}: blob ${b.digest} missing`);
    };
    for (const [t, d] of this.tags) check(t, d);
    return problems;
  }
}
