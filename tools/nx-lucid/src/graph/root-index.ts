/**
 * Which projects a build-context path reads, answered from an index of the project roots: createDependencies asks
 * once per COPY/ADD source, and a scan of every root per question made the graph quadratic (1000 services:
 * 2 million root comparisons, ~2 s). Built once per roots array.
 */
export interface ProjectRoot {
  name: string;
  root: string;
}

export interface RootIndex {
  /** Every project but a workspace-root one, in the given order. */
  real: ProjectRoot[];
  /** The project that owns `path` (the deepest root containing it), then every project below it, in order. */
  ownerAndBelow(path: string): string[];
}

const indexes = new WeakMap<readonly ProjectRoot[], RootIndex>();

export function indexRoots(roots: readonly ProjectRoot[]): RootIndex {
  const known = indexes.get(roots);
  if (known) return known;
  const real = roots.filter((r) => r.root !== '.' && r.root !== '');
  const byRoot = new Map<string, ProjectRoot>();
  for (const r of real) if (!byRoot.has(r.root)) byRoot.set(r.root, r);
  const sorted = real
    .map((r, order) => ({ root: r.root, order }))
    .sort((a, b) => (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));

  const ownerOf = (path: string): ProjectRoot | undefined => {
    for (let p = path; p; p = p.slice(0, Math.max(p.lastIndexOf('/'), 0))) {
      const owner = byRoot.get(p);
      if (owner) return owner;
    }
    return undefined;
  };
  const below = (path: string): number[] => {
    const prefix = `${path}/`;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid].root < prefix) lo = mid + 1;
      else hi = mid;
    }
    const found: number[] = [];
    for (let i = lo; i < sorted.length && sorted[i].root.startsWith(prefix); i++) found.push(sorted[i].order);
    return found.sort((a, b) => a - b);
  };

  const index: RootIndex = {
    real,
    ownerAndBelow: (path) => {
      const owner = ownerOf(path);
      return [...new Set([...(owner ? [owner.name] : []), ...below(path).map((i) => real[i].name)])];
    },
  };
  indexes.set(roots, index);
  return index;
}
