/**
 * The on-disk cache of createNodes' per-project results, as Nx's own plugins keep one:
 * `<workspace data directory>/nx-lucid-<hash>.hash`, one file per plugin code and options. Each entry is found by
 * the hash of what the project was inferred as (root, name, tags, context, build args) and the round's inputs
 * (resolved options, code inputs, runtime-input commands), and is used only while every file answer its analysis
 * recorded (recorded-reads.ts) still holds: a change to a Dockerfile, an ignore file or a COPY source's existence
 * or kind invalidates exactly the projects that read it. The file is read once per createNodes round and written
 * (whole, atomically) only when an entry changed or went unused.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { writeFileAtomic } from '../boundary/files';
import { pluginPackageRoot } from './bin-command';
import { importClosure } from './build-code-inputs';
import { contentHash, Observation } from './recorded-reads';

/** Bumped when an entry's shape changes (older files are then simply not read). */
const FORMAT = 1;

export interface CacheEntry<T> {
  observations: Observation[];
  value: T;
}

interface CacheFile<T> {
  format: number;
  entries: Record<string, CacheEntry<T>>;
}

/**
 * Nx's workspace data directory for `workspaceRoot`, by Nx's rules (nx/src/utils/cache-directory.ts): the
 * NX_WORKSPACE_DATA_DIRECTORY (or older NX_PROJECT_GRAPH_CACHE_DIRECTORY) setting, else `.nx/workspace-data`, or
 * `node_modules/.cache/nx-workspace-data` in a Lerna repository without nx.json. Worked out here: requiring Nx's
 * module loads its nx.json reader and JSON parser, which cost more than the whole cached graph.
 */
export function workspaceDataDirectory(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.NX_WORKSPACE_DATA_DIRECTORY ?? env.NX_PROJECT_GRAPH_CACHE_DIRECTORY;
  if (configured) return isAbsolute(configured) ? configured : join(workspaceRoot, configured);
  const lerna = existsSync(join(workspaceRoot, 'lerna.json')) && !existsSync(join(workspaceRoot, 'nx.json'));
  return lerna
    ? join(workspaceRoot, 'node_modules', '.cache', 'nx-workspace-data')
    : join(workspaceRoot, '.nx', 'workspace-data');
}

function packageVersion(name: string): string {
  try {
    return String(require(`${name}/package.json`).version);
  } catch {
    // a package whose exports hide its package.json: the nearest one above its entry
  }
  try {
    for (let dir = dirname(require.resolve(name)); dirname(dir) !== dir; dir = dirname(dir)) {
      const manifest = join(dir, 'package.json');
      if (existsSync(manifest)) {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8'));
        if (parsed.name === name) return String(parsed.version);
      }
    }
  } catch {
    // unresolvable: the hash then changes when it becomes resolvable
  }
  return 'unresolved';
}

let ownHash: string | undefined;

/**
 * The plugin's own version and sources: its package version, the content of every file the plugin entry reaches
 * through its imports, and the version of every npm package those import. Worked out once per process.
 */
export function pluginCodeHash(srcDir = resolve(__dirname, '..')): string {
  const own = srcDir === resolve(__dirname, '..');
  if (own && ownHash) return ownHash;
  const entry = ['index.ts', 'index.js'].map((f) => join(srcDir, f)).find((f) => existsSync(f));
  if (!entry) throw new Error(`${srcDir}: no plugin entry (index.ts or index.js) to hash`);
  const texts = new Map<string, string>();
  const closure = importClosure(entry, (f) => {
    const text = readFileSync(f, 'utf8');
    texts.set(f, text);
    return text;
  });
  const manifest = JSON.parse(readFileSync(join(pluginPackageRoot(srcDir), 'package.json'), 'utf8'));
  const parts = [
    manifest.version,
    ...closure.files.map((f) => [relative(srcDir, f), contentHash(texts.get(f)!)]),
    ...closure.packages.map((p) => [p, packageVersion(p)]),
  ];
  const hash = contentHash(JSON.stringify(parts));
  if (own) ownHash = hash;
  return hash;
}

export const keyHash = (value: unknown) => contentHash(JSON.stringify(value));

/** One round's view of one cache file: entries read at the start, the used or new ones written at the end. */
export class GraphCache<T> {
  private readonly kept = new Map<string, CacheEntry<T>>();
  private changed = false;

  private constructor(
    /** Undefined: a cache that keeps nothing (the plugin's code could not be hashed). */
    readonly path: string | undefined,
    private readonly stored: Record<string, CacheEntry<T>>,
  ) {}

  /**
   * The cache for this plugin code and `options` in `workspaceRoot`, or one that keeps nothing when the code cannot
   * be hashed (an entry under a wrong code hash could outlive the code that made it; the graph must not fail for it).
   */
  static forPlugin<T>(workspaceRoot: string, options: unknown, codeHash: () => string): GraphCache<T> {
    let hash: string;
    try {
      hash = codeHash();
    } catch {
      return new GraphCache<T>(undefined, {});
    }
    return GraphCache.open<T>(workspaceRoot, options, hash);
  }

  /** The cache for this plugin code and `options` (anything JSON) in `workspaceRoot`; empty when absent or unreadable. */
  static open<T>(workspaceRoot: string, options: unknown, codeHash: string): GraphCache<T> {
    const name = `nx-lucid-${createHash('sha1')
      .update(JSON.stringify([FORMAT, codeHash, options]))
      .digest('hex')}.hash`;
    const path = join(workspaceDataDirectory(workspaceRoot), name);
    let stored: Record<string, CacheEntry<T>> = {};
    try {
      const file = JSON.parse(readFileSync(path, 'utf8')) as CacheFile<T>;
      if (file.format === FORMAT && file.entries && typeof file.entries === 'object') stored = file.entries;
    } catch {
      // missing or unreadable: start empty (the file is rewritten at the end of the round)
    }
    return new GraphCache<T>(path, stored);
  }

  /** The entry stored under `key`, if any (still to be checked against the disk). */
  get(key: string): CacheEntry<T> | undefined {
    return Object.prototype.hasOwnProperty.call(this.stored, key) ? this.stored[key] : undefined;
  }

  /** Keeps the stored entry for the next round. */
  keep(key: string): void {
    const entry = this.get(key);
    if (entry) this.kept.set(key, entry);
  }

  set(key: string, entry: CacheEntry<T>): void {
    this.kept.set(key, entry);
    this.changed = true;
  }

  /** Writes the entries of this round when any changed or a stored one went unused. Never throws. */
  save(): void {
    if (!this.path || (!this.changed && this.kept.size === Object.keys(this.stored).length)) return;
    try {
      const file: CacheFile<T> = { format: FORMAT, entries: Object.fromEntries(this.kept) };
      writeFileAtomic(this.path, JSON.stringify(file));
    } catch {
      // a read-only workspace: the graph is still right, only the next command pays again
    }
  }
}
