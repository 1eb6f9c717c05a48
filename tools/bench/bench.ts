/**
 * `npm run bench`: every speed target of the project, measured side by side in one run on this machine.
 * Prints a table per area with ratios, and writes everything to bench-results.json.
 * Never part of the tests: timings are reported, not asserted.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { basePlugin, measureGraph } from './graph-bench';
import type { Variant } from './graph-bench';
import { measureLucidTree } from './lucid-tree-bench';
import { printGraphRatios } from './graph-table';
import { benchBuild } from './build-bench';
import { benchBuildx } from './buildx-bench';
import { benchCache } from './cache-bench';
import { runRegistryBench } from './registry-bench';
import { benchGate, gateTable } from './gate-bench';
import { benchVerify } from './verify-bench';
import { benchFanOut, benchLoad, benchVerifyCost } from './registry-scale-bench';

const log = (line: string) => console.log(`  ${line}`);

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const want = (area: string) => only.length === 0 || only.includes(area);
  const results: Record<string, unknown> = {
    machine: { node: process.version, cpus: require('node:os').cpus().length },
    startedAt: new Date().toISOString(),
  };

  if (want('graph')) {
    console.log(
      'graph: `nx show projects`, median of 3, interleaved (cold: no plugin / a trivial plugin / six executor-only targets / @lucid/nx-lucid compiled / from source / @nx/docker; warm: no plugin / @lucid/nx-lucid compiled)',
    );
    // LUCID_BENCH_BASE_PLUGIN (a built plugin package folder, e.g. main's): its runs interleaved with ours.
    const base: Variant[] = basePlugin() ? ['lucid-base', 'lucid-base-warm'] : [];
    const graph = measureGraph(
      [29, 1000],
      3,
      ['none', 'trivial', 'six-targets', 'lucid', 'lucid-source', 'nx-docker', 'none-warm', 'lucid-warm', ...base],
      log,
    );
    const tree = measureLucidTree(3, log);
    printGraphRatios(graph, tree);
    results.graph = { ...graph, lucidTree: tree };
  }

  if (want('build')) {
    console.log(
      'build: container-build of all 29 services, cold (empty Nx cache) vs warm (restored from the Nx cache)',
    );
    const build = await benchBuild();
    console.log(`  cold ${build.coldSeconds}s, warm ${build.warmSeconds}s: warm is ${build.ratio}x faster`);
    console.log(
      `  engine per two-platform service, cold after the base (shared store): median ${build.medianEngineSeconds}s (target <= 2 s); one service alone ${build.oneService.wallSeconds}s wall / ${build.oneService.cpuSeconds}s CPU (through Nx) beside the floor (FROM scratch + COPY, same store) ${build.floor.wallSeconds}s wall / ${build.floor.cpuSeconds}s CPU; load ${build.loadAverage.join(' ')}`,
    );
    const perService = Object.values(build.cacheBytes);
    console.log(
      `  Nx cache per service: ${Math.round(Math.min(...perService) / 1024)}-${Math.round(Math.max(...perService) / 1024)} KiB (${Math.round(build.totalCacheBytes / 1024)} KiB for ${perService.length} services)`,
    );
    results.build = build;
  }

  if (want('cache')) {
    console.log(
      'cache: all services, one local registry and a remote-cache stand-in: cold build (clone A), first and warm no-op push, restore in a fresh clone B',
    );
    const c = await benchCache({ log });
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    // The bench base is the small test base, so the whole image is small too (the real distroless base is ~37 MB).
    console.log(`  ${'service'.padEnd(24)} Nx cache entry  own blobs  whole image  cold build`);
    for (const [svc, s] of Object.entries(c.perService)) {
      console.log(
        `  ${svc.padEnd(24)} ${kib(s.nxCacheBytes).padStart(14)}  ${kib(s.ownBlobBytes).padStart(9)}  ${kib(s.imageBytes).padStart(11)}  ${`${s.coldBuildSeconds.toFixed(1)}s`.padStart(10)}`,
      );
    }
    console.log(
      `  Nx cache total ${kib(c.totalNxCacheBytes)} for ${c.services} services (target <= 2048 KiB); cold build ${c.coldBuildSeconds}s`,
    );
    console.log(
      `  remote cache restore (clone B): ${c.remoteRestore.hits}/${c.services} hits, ${kib(c.remoteRestore.bytesDownloaded)} downloaded in ${c.remoteRestore.seconds}s (cold build ${c.coldBuildSeconds}s)`,
    );
    console.log(
      `  container-push of all: first ${c.push.firstSeconds}s (${(c.push.firstUploadedBytes / 1048576).toFixed(1)} MiB up), warm no-op ${c.push.warmSeconds}s (${c.push.warmUploadedBytes} bytes up; target <= 5 s)`,
    );
    results.cache = c;
  }

  if (want('buildx')) {
    console.log(
      'buildx: container-build of all services with real BuildKit, cold (fresh BuildKit state) vs warm (BuildKit cache), Nx cache skipped',
    );
    // LUCID_BENCH_SERVICES=a,b benches a subset (all 29 take ~10 min cold on a loaded 2-core machine).
    const subset = process.env.LUCID_BENCH_SERVICES?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const buildx = await benchBuildx({ log, apps: subset?.length ? subset : 'all' });
    console.log(`  cold ${buildx.coldSeconds}s, warm ${buildx.warmSeconds}s (${buildx.services} services)`);
    const buildah =
      (results.build as { coldEngineSeconds?: Record<string, number> } | undefined)?.coldEngineSeconds ?? {};
    console.log(`  ${'service'.padEnd(24)} buildx cold  buildx warm  buildah cold (engine seconds)`);
    for (const [svc, t] of Object.entries(buildx.perService)) {
      console.log(
        `  ${svc.padEnd(24)} ${t.cold.toFixed(1).padStart(11)}  ${t.warm.toFixed(1).padStart(11)}  ${buildah[svc] === undefined ? '-' : buildah[svc].toFixed(1).padStart(12)}`,
      );
    }
    results.buildx = buildx;
  }

  if (want('registry')) {
    console.log('registry: against a real local docker-registry');
    const reg = await runRegistryBench();
    for (const p of reg.promote) {
      const mb = Math.round(p.imageBytes / (1024 * 1024));
      console.log(
        `  promote ${mb} MB image: ours ${p.promoteMs.toFixed(1)} ms vs skopeo copy ${p.skopeoCopyMs.toFixed(1)} ms (skopeo takes ${(p.skopeoCopyMs / p.promoteMs).toFixed(1)}x as long)`,
      );
    }
    console.log(
      `  re-push of an unchanged ${Math.round(reg.repush.imageBytes / 1048576)} MB image: ${reg.repush.repushBytesUploaded} bytes uploaded (first push: ${reg.repush.firstPushBytesUploaded})`,
    );
    const t = reg.throughput;
    console.log(
      `  first push: ${t.pushMBps.toFixed(0)} MB/s vs plain upload ${t.plainMBps.toFixed(0)} MB/s (${(t.pushMBps / t.plainMBps).toFixed(2)}x)`,
    );
    results.registry = reg;
  }

  if (want('gate')) {
    console.log(
      'gate: parse, gate, gate.json, summary.md, SARIF and the GitHub-limits fit — the median real report beside 50,000 findings grown from real ones',
    );
    const gate = benchGate(50_000);
    for (const line of gateTable(gate)) log(line);
    results.gate = gate;
  }

  if (only.includes('verify')) {
    console.log(
      'verify: container-verify of every built service (after `npm start`), cold: batch mode vs one process per task',
    );
    const v = benchVerify(3, log);
    const row = (name: string, r: { seconds: number; cpuSeconds: number }) =>
      log(
        `${name.padEnd(28)} ${`${r.seconds}s`.padStart(8)} wall ${`${r.cpuSeconds}s`.padStart(8)} CPU (process tree)`,
      );
    row(`batch (${v.services} services)`, v.batch);
    row('one process per task', v.perTask);
    row('floor: one Nx start', v.nxStart);
    log(`batch / per task: ${v.batchVsPerTask} (target: batch <= 5 s); load average ${v.load}`);
    results.verify = v;
  }

  if (want('registry')) {
    const fan = await benchFanOut();
    console.log(
      `  ${fan.services} services on one base, --parallel=${fan.parallel}, empty registry: ${(fan.bytesSent / 1048576).toFixed(0)} MiB sent for ${(fan.distinctBytes / 1048576).toFixed(0)} MiB distinct (${fan.ratio}x; target <= 1.2x) in ${fan.seconds}s`,
    );
    const fan2 = await benchFanOut(29, 8, 48 * 1048576, 2 * 1048576, 2);
    console.log(
      `  the same to ${fan2.registries} empty registries at once (option registries): ${(fan2.bytesSent / 1048576).toFixed(0)} MiB sent for ${(fan2.distinctBytes / 1048576).toFixed(0)} MiB distinct per registry (${fan2.ratio}x of distinct x registries) in ${fan2.seconds}s, same index digests in both`,
    );
    const verify = await benchVerifyCost();
    console.log(
      `  pre-push check (stream-hash every blob): ${verify.msPerGB} ms per GB (${verify.ms} ms for ${(verify.bytes / 1048576).toFixed(0)} MiB)`,
    );
    results.registryScale = { fanOut: fan, fanOutTwoRegistries: fan2, verifyCost: verify };
  }

  // Long (1,000 pushes): only when asked for by name, `npm run bench -- registry-load`.
  if (only.includes('registry-load')) {
    const load = await benchLoad();
    console.log(
      `registry-load: ${load.images} images at --parallel=${load.parallel}, ${load.faultRate * 100}% faults (${load.faultsInjected} injected, ${load.retries} retries): ${load.imagesPerSecond} images/s, p95 ${load.p95PushMs} ms per push, ${load.failedPushes} failed after a rerun, ${load.brokenTags} broken tags`,
    );
    results.registryLoad = load;
  }

  const file = join(__dirname, '..', '..', 'bench-results.json');
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`results written to ${file}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
