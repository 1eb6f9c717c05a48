/**
 * `npm run bench`: every speed target of the project, measured side by side in one run on this machine.
 * Prints a table per area with ratios, and writes everything to bench-results.json.
 * Never part of the tests: timings are reported, not asserted.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureGraph } from './graph-bench';
import { benchBuild } from './build-bench';

const log = (line: string) => console.log(`  ${line}`);

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const want = (area: string) => only.length === 0 || only.includes(area);
  const results: Record<string, unknown> = { machine: { node: process.version, cpus: require('node:os').cpus().length }, startedAt: new Date().toISOString() };

  if (want('graph')) {
    console.log('graph: `nx show projects`, cold, median of 3 (no plugin / @lucid/nx-lucid / @nx/docker)');
    const graph = measureGraph([29, 1000], 3, ['none', 'lucid', 'nx-docker'], log);
    for (const r of graph.ratios) {
      console.log(`  ${r.services} services: lucid/none ${r.lucidVsNone}x, lucid/@nx/docker ${r.lucidVsNxDocker}x, @nx/docker/none ${r.nxDockerVsNone}x`);
    }
    results.graph = graph;
  }

  if (want('build')) {
    console.log('build: container-build of all 29 services, cold (empty Nx cache) vs warm (restored from the Nx cache)');
    const build = await benchBuild();
    console.log(`  cold ${build.coldSeconds}s, warm ${build.warmSeconds}s: warm is ${build.ratio}x faster; Nx cache ${Math.round(build.totalCacheBytes / 1024)} KiB in all`);
    results.build = build;
  }

  const file = join(__dirname, '..', '..', 'bench-results.json');
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`results written to ${file}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
