/**
 * `npm run bench`: every speed target of the project, measured side by side in one run on this machine.
 * Prints a table per area with ratios, and writes everything to bench-results.json.
 * Never part of the tests: timings are reported, not asserted.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureGraph } from './graph-bench';
import { measureLucidTree } from './lucid-tree-bench';
import { benchBuild } from './build-bench';
import { runRegistryBench } from './registry-bench';

const log = (line: string) => console.log(`  ${line}`);

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const want = (area: string) => only.length === 0 || only.includes(area);
  const results: Record<string, unknown> = { machine: { node: process.version, cpus: require('node:os').cpus().length }, startedAt: new Date().toISOString() };

  if (want('graph')) {
    console.log('graph: `nx show projects`, cold, median of 3 (no plugin / @lucid/nx-lucid compiled / from source / @nx/docker)');
    const graph = measureGraph([29, 1000], 3, ['none', 'lucid', 'lucid-source', 'nx-docker'], log);
    for (const r of graph.ratios) {
      console.log(
        `  ${r.services} services: lucid/none ${r.lucidVsNone}x (from source ${r.lucidSourceVsNone}x), lucid/@nx/docker ${r.lucidVsNxDocker}x, @nx/docker/none ${r.nxDockerVsNone}x`,
      );
    }
    const tree = measureLucidTree(3, log);
    console.log(`  Lucid tree: lucid/none ${tree.lucidVsNone ?? 'n/a'}x`);
    results.graph = { ...graph, lucidTree: tree };
  }

  if (want('build')) {
    console.log('build: container-build of all 29 services, cold (empty Nx cache) vs warm (restored from the Nx cache)');
    const build = await benchBuild();
    console.log(`  cold ${build.coldSeconds}s, warm ${build.warmSeconds}s: warm is ${build.ratio}x faster`);
    const perService = Object.values(build.cacheBytes);
    console.log(`  Nx cache per service: ${Math.round(Math.min(...perService) / 1024)}-${Math.round(Math.max(...perService) / 1024)} KiB (${Math.round(build.totalCacheBytes / 1024)} KiB for ${perService.length} services)`);
    results.build = build;
  }

  if (want('registry')) {
    console.log('registry: against a real local docker-registry');
    const reg = await runRegistryBench();
    for (const p of reg.promote) {
      const mb = Math.round(p.imageBytes / (1024 * 1024));
      console.log(`  promote ${mb} MB image: ours ${p.promoteMs.toFixed(1)} ms vs skopeo copy ${p.skopeoCopyMs.toFixed(1)} ms (skopeo takes ${(p.skopeoCopyMs / p.promoteMs).toFixed(1)}x as long)`);
    }
    console.log(`  re-push of an unchanged ${Math.round(reg.repush.imageBytes / 1048576)} MB image: ${reg.repush.repushBytesUploaded} bytes uploaded (first push: ${reg.repush.firstPushBytesUploaded})`);
    const t = reg.throughput;
    console.log(`  first push: ${t.pushMBps.toFixed(0)} MB/s vs plain upload ${t.plainMBps.toFixed(0)} MB/s (${(t.pushMBps / t.plainMBps).toFixed(2)}x)`);
    results.registry = reg;
  }

  const file = join(__dirname, '..', '..', 'bench-results.json');
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`results written to ${file}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
