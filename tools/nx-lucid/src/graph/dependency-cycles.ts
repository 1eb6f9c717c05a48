/**
 * Cycles made by the plugin's Dockerfile edges. container-build depends on `^container-build`, so a cycle in
 * these edges is a cycle in the task graph; Nx reports it only as "the task graph has a circular dependency".
 */
export interface SourceEdge {
  source: string;
  target: string;
  dockerfile: string;
  /** 1-based line of the instruction; 0 for a FROM of another project's image found in externalImages. */
  line: number;
  /** e.g. "COPY ." or "FROM ghcr.io/acme/x:1". */
  via: string;
}

type Projects = Record<
  string,
  { root: string; targets?: Record<string, { options?: Record<string, unknown>; dependsOn?: unknown[] }> }
>;

/** Every elementary cycle is not needed: one cycle per strongly connected component, as project names. */
export function findCycles(edges: readonly SourceEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.source, [...new Set([...(next.get(e.source) ?? []), e.target])].sort());
  const nodes = [...new Set(edges.flatMap((e) => [e.source, e.target]))].sort();
  // Tarjan's strongly connected components.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) components.push(c);
    }
  };
  for (const v of nodes) if (!idx.has(v)) strong(v);
  // One concrete cycle inside each component, from its first name.
  return components.map((c) => {
    const inside = new Set(c);
    const start = [...c].sort()[0];
    const path = [start];
    const seen = new Set([start]);
    const walk = (v: string): boolean => {
      for (const w of next.get(v) ?? []) {
        if (!inside.has(w)) continue;
        if (w === start) return true;
        if (seen.has(w)) continue;
        seen.add(w);
        path.push(w);
        if (walk(w)) return true;
        path.pop();
      }
      return false;
    };
    walk(start);
    return [...path, start];
  });
}

/** The cycles, the instructions that make each edge, and the settings that break it. */
export function describeCycles(
  cycles: readonly string[][],
  edges: readonly SourceEdge[],
  projects: Projects,
  buildTarget: string,
): string {
  const lines = [
    `@lucid/nx-lucid: the Dockerfile dependencies make ${cycles.length} cycle(s); ${buildTarget} depends on ^${buildTarget}, so Nx will stop with "the task graph has a circular dependency":`,
  ];
  for (const cycle of cycles) {
    lines.push(`  cycle: ${cycle.join(' -> ')}`);
    for (let i = 0; i + 1 < cycle.length; i++) {
      const made = edges.filter((e) => e.source === cycle[i] && e.target === cycle[i + 1]);
      for (const e of made.slice(0, 3)) {
        const where = e.line ? `${e.dockerfile}:${e.line}` : e.dockerfile;
        lines.push(
          `    ${cycle[i]} -> ${cycle[i + 1]}: ${where}: ${e.via} reads files of ${cycle[i + 1]} (root ${projects[cycle[i + 1]]?.root})`,
        );
      }
      if (made.length > 3) lines.push(`    … and ${made.length - 3} more instruction(s)`);
    }
    const wide = [
      ...new Set(
        edges
          .filter((e) => cycle.includes(e.source) && cycle.includes(e.target) && / \.$/.test(e.via))
          .map((e) => e.source),
      ),
    ];
    for (const name of wide.length ? wide : [cycle[0]]) {
      const o = projects[name]?.targets?.[buildTarget]?.options ?? {};
      const dockerfile = String(o.dockerfile ?? '');
      const folder = dockerfile.includes('/') ? dockerfile.slice(0, dockerfile.lastIndexOf('/')) : '.';
      lines.push(
        `  to break it, in nx.json plugins[@lucid/nx-lucid].options.projects["${dockerfile}"]: if ${dockerfile} is written for its own folder, "context": "${folder}" ` +
          `(or give it a compose build.context); else "waitForCopiedProjects": false (its build then waits only for the images it FROMs); or narrow its COPY sources.`,
      );
    }
  }
  return lines.join('\n');
}
