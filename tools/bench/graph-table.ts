/** The graph bench's ratios side by side: each variant against no plugin, by wall time and by CPU time. */
import type { GraphBenchResult } from './graph-bench';
import type { LucidTreeResult } from './lucid-tree-bench';

const x = (r?: number) => (r === undefined || Number.isNaN(r) ? 'n/a' : `${r.toFixed(2)}x`);

export function printGraphRatios(graph: GraphBenchResult, tree: LucidTreeResult): void {
  const cell = (wall?: number, cpu?: number) => `${x(wall)} / ${x(cpu)}`.padStart(17);
  console.log(
    `  ${'vs no plugin (wall / CPU)'.padEnd(26)}${'ours compiled'.padStart(17)}${'ours from source'.padStart(17)}${'@nx/docker'.padStart(17)}${'trivial plugin'.padStart(17)}${'six bare targets'.padStart(17)}`,
  );
  for (const r of graph.ratios) {
    console.log(
      `  ${`${r.services} services`.padEnd(26)}${cell(r.lucidVsNone, r.cpu.lucidVsNone)}${cell(r.lucidSourceVsNone, r.cpu.lucidSourceVsNone)}${cell(r.nxDockerVsNone, r.cpu.nxDockerVsNone)}${cell(r.trivialVsNone, r.cpu.trivialVsNone)}${cell(r.sixTargetsVsNone, r.cpu.sixTargetsVsNone)}`,
    );
  }
  console.log(
    `  ${'Lucid tree'.padEnd(26)}${cell(tree.lucidVsNone, tree.cpu.lucidVsNone)}${'n/a'.padStart(17)}${cell(tree.nxDockerVsNone, tree.cpu.nxDockerVsNone)}`,
  );
  for (const r of graph.ratios) {
    console.log(
      `  ${`${r.services} services`.padEnd(26)}ours / six bare targets, cold ${cell(r.lucidVsSixTargets, r.cpu.lucidVsSixTargets)} (target <= 1.15x at 1000); ours warm / none warm ${cell(r.lucidWarmVsNoneWarm, r.cpu.lucidWarmVsNoneWarm)}`,
    );
  }
  console.log(
    `  ${'Lucid tree'.padEnd(26)}ours / none cold ${cell(tree.lucidVsNone, tree.cpu.lucidVsNone)} (target CPU <= 1.5x); warm ${cell(tree.lucidWarmVsNoneWarm, tree.cpu.lucidWarmVsNoneWarm)} (target ≈ 1.0x)`,
  );
  for (const r of graph.ratios.filter((g) => !Number.isNaN(g.baseVsSixTargets))) {
    console.log(
      `  ${`${r.services} services`.padEnd(26)}base build: / six bare targets, cold ${cell(r.baseVsSixTargets, r.cpu.baseVsSixTargets)}; warm / none warm ${cell(r.baseWarmVsNoneWarm, r.cpu.baseWarmVsNoneWarm)}; ours / base cold ${cell(r.lucidVsBase, r.cpu.lucidVsBase)}, warm ${cell(r.lucidWarmVsBaseWarm, r.cpu.lucidWarmVsBaseWarm)}`,
    );
  }
  if (tree.lucidBase)
    console.log(
      `  ${'Lucid tree'.padEnd(26)}base build: / none cold ${cell(tree.baseVsNone, tree.cpu.baseVsNone)}; warm ${cell(tree.baseWarmVsNoneWarm, tree.cpu.baseWarmVsNoneWarm)}`,
    );
  console.log(
    '  wall / CPU; cold: .nx removed before each run; warm: right after an identical run, .nx/workspace-data kept (trivial plugin: the floor of any plugin; six bare targets: the floor of any plugin inferring our targets)',
  );
}
