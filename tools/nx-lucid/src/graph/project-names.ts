/**
 * Stable, unique, readable project names for Dockerfiles: a fixed name where one is given (project.json, the
 * plugin's `projects` option), else the variant suffix (`Dockerfile.api` → api) or, for a plain Dockerfile, its
 * folder; where two would clash, each is qualified by as many parent folders as it takes.
 */
import type { DockerfileFile } from './dockerfile-files';

export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'root'
  );
}

function candidate(file: DockerfileFile, qualifiers: number): string {
  const folders = file.folder === '.' ? [] : file.folder.split('/');
  // A plain Dockerfile is named by its folder, so it starts with one folder segment.
  const own = file.variant === undefined ? 1 : 0;
  const take = Math.min(folders.length, qualifiers + own);
  const parts = [...folders.slice(folders.length - take), ...(file.variant === undefined ? [] : [file.variant])];
  return slug(parts.join('-'));
}

/** Names by Dockerfile path. `fixed` names (by path) are kept as they are and never reused. */
export function projectNames(
  files: readonly DockerfileFile[],
  fixed: ReadonlyMap<string, string>,
): Map<string, string> {
  const names = new Map<string, string>();
  const reserved = new Set<string>();
  for (const f of files) {
    const name = fixed.get(f.path);
    if (name !== undefined) {
      names.set(f.path, name);
      reserved.add(name);
    }
  }
  const open = files.filter((f) => !names.has(f.path));
  const level = new Map(open.map((f) => [f.path, 0]));
  for (let round = 0; round < 64; round++) {
    const byName = new Map<string, DockerfileFile[]>();
    for (const f of open) {
      const n = candidate(f, level.get(f.path)!);
      byName.set(n, [...(byName.get(n) ?? []), f]);
    }
    let clash = false;
    for (const [n, group] of byName) {
      if (group.length === 1 && !reserved.has(n)) continue;
      clash = true;
      for (const f of group) level.set(f.path, level.get(f.path)! + 1);
    }
    if (!clash) {
      for (const [n, [f]] of byName) names.set(f.path, n);
      return names;
    }
  }
  // Still clashing once every folder is used (e.g. Dockerfile.api beside api.Dockerfile): those take the whole path.
  const counts = new Map<string, number>();
  for (const f of open)
    counts.set(candidate(f, level.get(f.path)!), (counts.get(candidate(f, level.get(f.path)!)) ?? 0) + 1);
  for (const f of open) {
    const n = candidate(f, level.get(f.path)!);
    names.set(f.path, counts.get(n) === 1 && !reserved.has(n) ? n : slug(f.path));
  }
  return names;
}
