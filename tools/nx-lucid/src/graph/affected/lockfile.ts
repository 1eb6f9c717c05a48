/**
 * npm lockfile (v2/v3 `packages`) reading for affected: which packages changed between two lockfiles, and which
 * packages a set of packages reaches. Nx hashes a target's `externalDependencies` with everything they depend on,
 * so a lockfile change affects a build exactly when it changes one of those.
 */
import { z } from 'zod';

const lockEntrySchema = z
  .object({
    version: z.string().optional(),
    integrity: z.string().optional(),
    resolved: z.string().optional(),
    link: z.boolean().optional(),
    dependencies: z.record(z.string(), z.string()).optional(),
    optionalDependencies: z.record(z.string(), z.string()).optional(),
    peerDependencies: z.record(z.string(), z.string()).optional(),
  })
  .passthrough();

export const npmLockfileSchema = z
  .object({ lockfileVersion: z.number().int().min(2), packages: z.record(z.string(), lockEntrySchema) })
  .passthrough();

export interface LockedPackages {
  /** package name → every locked copy as version|integrity, sorted. */
  copies: Map<string, string[]>;
  /** package name → names it depends on (any copy, peers included as Nx includes installed peers). */
  dependsOn: Map<string, Set<string>>;
}

/** `node_modules/a/node_modules/@s/b` → @s/b; the root entry ("") and workspace folders are not packages. */
function nameOf(path: string): string | undefined {
  const at = path.lastIndexOf('node_modules/');
  return at < 0 ? undefined : path.slice(at + 'node_modules/'.length);
}

export function readLockfile(text: string, source = 'package-lock.json'): LockedPackages {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  const parsed = npmLockfileSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(`${source} is not an npm lockfile v2/v3 (no "packages"): ${parsed.error.issues[0]?.message ?? ''}`);
  const copies = new Map<string, string[]>();
  const dependsOn = new Map<string, Set<string>>();
  for (const [path, entry] of Object.entries(parsed.data.packages)) {
    const name = nameOf(path);
    if (!name) continue;
    copies.set(
      name,
      [...(copies.get(name) ?? []), `${entry.version ?? entry.resolved ?? ''}|${entry.integrity ?? ''}`].sort(),
    );
    const deps = dependsOn.get(name) ?? new Set<string>();
    for (const field of [entry.dependencies, entry.optionalDependencies, entry.peerDependencies])
      for (const d of Object.keys(field ?? {})) deps.add(d);
    dependsOn.set(name, deps);
  }
  return { copies, dependsOn };
}

/** Packages added, removed, or locked at another version or integrity. */
export function changedPackages(before: LockedPackages, after: LockedPackages): Set<string> {
  const out = new Set<string>();
  for (const name of new Set([...before.copies.keys(), ...after.copies.keys()])) {
    if ((before.copies.get(name) ?? []).join(',') !== (after.copies.get(name) ?? []).join(',')) out.add(name);
  }
  return out;
}

/** The packages and everything they depend on, transitively. */
export function dependencyClosure(lock: LockedPackages, roots: readonly string[]): Set<string> {
  const out = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (out.has(name)) continue;
    out.add(name);
    for (const d of lock.dependsOn.get(name) ?? []) queue.push(d);
  }
  return out;
}
