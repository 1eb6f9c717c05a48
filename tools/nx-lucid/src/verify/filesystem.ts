import { posix } from 'node:path';

/** What a tar entry is, reduced to what matters for the final filesystem. */
export type EntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

/** One tar header as the layer walk sees it (a subset of tar-stream's Headers). */
export interface LayerEntry {
  name: string;
  type?: string | null;
  linkname?: string | null;
}

export interface FsEntry {
  /** Absolute, normalized path, e.g. /bin/sh. */
  path: string;
  kind: EntryKind;
  /** Symlink target as written in the layer, or the hardlink's target path (absolute). */
  linkname?: string;
  /** Digest of the layer that last wrote this path. */
  layer: string;
}

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

/** Normalizes a tar entry name (./bin/sh, bin/, /bin/sh) to /bin/sh; undefined for names escaping the root. */
export function normalizeEntryPath(name: string): string | undefined {
  const trimmed = name.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
  if (trimmed === '' || trimmed === '.') return '/';
  const norm = posix.normalize(`/${trimmed}`).replace(/\/+$/, '');
  if (norm === '') return '/';
  // posix.normalize keeps a leading /.. as /; a literal .. component means the name tried to escape
  if (trimmed.split('/').includes('..')) return undefined;
  return norm;
}

function kindOf(type: string | null | undefined): EntryKind {
  switch (type ?? 'file') {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}

/** How a path was found: the entry, the path it resolved to, and the symlinks followed on the way. */
export interface Lookup {
  entry: FsEntry;
  resolvedPath: string;
  via: FsEntry[];
}

/**
 * The filesystem an image's layers produce, applied in order with OCI whiteouts
 * (image-spec layer.md): `.wh.<name>` removes <name> from lower layers, `.wh..wh..opq` empties its
 * directory of everything lower layers put there. Whiteouts never hide entries of their own layer.
 */
export class LayeredFilesystem {
  private readonly entries = new Map<string, FsEntry>([['/', { path: '/', kind: 'directory', layer: '' }]]);

  get size(): number {
    return this.entries.size - 1;
  }

  get(path: string): FsEntry | undefined {
    return this.entries.get(path);
  }

  paths(): string[] {
    return [...this.entries.keys()].filter((p) => p !== '/').sort();
  }

  applyLayer(layerDigest: string, headers: readonly LayerEntry[]): void {
    const additions: Array<{ path: string; header: LayerEntry }> = [];
    // Deletions first, against the lower layers only; then this layer's own entries.
    for (const header of headers) {
      const path = normalizeEntryPath(header.name);
      if (!path || path === '/') continue;
      const base = posix.basename(path);
      const dir = posix.dirname(path);
      if (base === OPAQUE_WHITEOUT) {
        this.removeBelow(dir);
      } else if (base.startsWith(WHITEOUT_PREFIX)) {
        this.removeTree(posix.join(dir, base.slice(WHITEOUT_PREFIX.length)));
      } else {
        additions.push({ path, header });
      }
    }
    for (const { path, header } of additions) this.add(layerDigest, path, header);
  }

  private add(layer: string, path: string, header: LayerEntry): void {
    const kind = kindOf(header.type);
    const existing = this.entries.get(path);
    // Replacing a directory with anything else drops what was under it (as tar extraction does).
    if (existing?.kind === 'directory' && kind !== 'directory') this.removeBelow(path);
    this.ensureParents(layer, posix.dirname(path));
    let linkname: string | undefined;
    if (kind === 'symlink') linkname = header.linkname ?? '';
    if (kind === 'hardlink') linkname = normalizeEntryPath(header.linkname ?? '') ?? header.linkname ?? '';
    this.entries.set(path, { path, kind, layer, ...(linkname !== undefined ? { linkname } : {}) });
  }

  /** Layers may omit directory entries; their files still exist. */
  private ensureParents(layer: string, dir: string): void {
    if (dir === '/' || this.entries.get(dir)?.kind === 'directory') return;
    if (this.entries.has(dir)) this.removeBelow(dir);
    this.ensureParents(layer, posix.dirname(dir));
    this.entries.set(dir, { path: dir, kind: 'directory', layer });
  }

  private removeTree(path: string): void {
    this.entries.delete(path);
    this.removeBelow(path);
  }

  private removeBelow(dir: string): void {
    const prefix = dir === '/' ? '/' : `${dir}/`;
    for (const key of [...this.entries.keys()]) if (key !== '/' && key.startsWith(prefix)) this.entries.delete(key);
  }

  /**
   * Finds the entry at `path`, following symlinks in the parent components (/bin -> usr/bin) but
   * not in the last one: a symlink /bin/sh -> busybox is itself the finding.
   */
  lookup(path: string): Lookup | undefined {
    const via: FsEntry[] = [];
    let components = (normalizeEntryPath(path) ?? '/').split('/').filter(Boolean);
    let current = '/';
    for (let hops = 0; components.length > 0;) {
      const next = posix.join(current, components[0]);
      const entry = this.entries.get(next);
      if (!entry) return undefined;
      if (components.length === 1) return { entry, resolvedPath: next, via };
      if (entry.kind === 'symlink') {
        if (++hops > 40) return undefined; // a symlink loop, as ELOOP
        via.push(entry);
        const target = entry.linkname ?? '';
        // Inside the image, .. at the root stays at the root, as the kernel resolves it in a chroot.
        const resolved = posix.normalize(target.startsWith('/') ? target : posix.join(posix.dirname(next), target));
        components = [...resolved.split('/').filter((c) => c && c !== '..' && c !== '.'), ...components.slice(1)];
        current = '/';
        continue;
      }
      if (entry.kind !== 'directory') return undefined;
      current = next;
      components = components.slice(1);
    }
    return undefined;
  }
}
