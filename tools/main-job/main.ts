/**
 * The main job (README command 1, `npm start`): embedded registry → distroless stand-in base →
 * build (+ scan when Trivy is installed) → push → verify every service, then a summary and a
 * catalog check.
 *
 *   node -r @swc-node/register tools/main-job/main.ts [--dry-run] [--refresh-base] [--stop-registry]
 *
 * Env: LUCID_LOCAL_REGISTRY_PORT (5055), LUCID_LOCAL_REPOSITORY (hamigames/lucid), LUCID_PARALLEL (2).
 */
import { join } from 'node:path';
import { formatCommand, INSTALL_HINTS, which } from '../nx-lucid/src/boundary/process';
import { requireRepository } from '../nx-lucid/src/config/repository';
import { baseImageMirrorRef, ensureBaseImage, mirrorPrefix } from '../base-image/build';
import { runNx } from './nx';
import { printCatalogCheck, printRunSummary } from './report';
import { listServices, probeEngine, nxJsonPluginOptions, parseArgs, REAL_BASE } from './setup';
import { ensureLocalRegistry, localRegistryPort, registryPaths, stopLocalRegistry } from './registry';
import { NxTaskResult, ScanState } from './summary';

const workspaceRoot = join(__dirname, '..', '..');
const SERVICE_SELECTOR = 'tag:type:service';

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  process.env.NX_DAEMON = 'false';
  process.env.NX_NO_CLOUD = 'true';

  if (args.stopRegistry) {
    const pid = await stopLocalRegistry(workspaceRoot);
    console.log(
      pid
        ? `registry: stopped pid ${pid} (data kept in ${registryPaths(workspaceRoot).data})`
        : 'registry: not running',
    );
    return 0;
  }

  const port = localRegistryPort();
  const host = `127.0.0.1:${port}`;
  const options = nxJsonPluginOptions(workspaceRoot);
  const repository = process.env.LUCID_LOCAL_REPOSITORY?.trim() || requireRepository(options.repository, 'nx.json');
  const parallel = process.env.LUCID_PARALLEL?.trim() || '2';
  const t = options.targetNames;
  const { online, why: engineWhy } = await probeEngine();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    LUCID_REGISTRY: host,
    LUCID_REPOSITORY: repository,
    LUCID_ENGINE: process.env.LUCID_ENGINE?.trim() || (online ? 'buildx' : 'buildah'),
    LUCID_INSECURE_REGISTRIES: host,
    // Offline, gcr.io is served by the stand-in base on the local registry's mirror path.
    ...(online ? {} : { LUCID_REGISTRY_MIRRORS: `gcr.io=${mirrorPrefix(host)}` }),
  };
  const lucidEnv = Object.entries(env)
    .filter(([k]) => k.startsWith('LUCID_') && !k.startsWith('LUCID_LOCAL_'))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const common = [`--projects=${SERVICE_SELECTOR}`, `--parallel=${parallel}`, '--outputStyle=static'];
  const trivy = which('trivy');
  const scan: ScanState = trivy
    ? { kind: 'ran' }
    : { kind: 'skipped', reason: `trivy is not installed (${INSTALL_HINTS.trivy})` };

  // The plan: with Trivy, scan and push in one run; push's dependsOn (build, and scan when the gate is on)
  // orders them, so a failed gate stops that service's push. Without Trivy: build, then push with task
  // dependencies excluded (scan cannot run), so the gate's dependsOn does not pull scan in.
  const plan: string[][] = trivy
    ? [['run-many', '-t', `${t.build},${t.scan},${t.push}`, ...common]]
    : [
        ['run-many', '-t', t.build, ...common],
        ['run-many', '-t', t.push, '--excludeTaskDependencies', ...common],
      ];
  plan.push(['run-many', '-t', t.verify, ...common]);

  if (args.dryRun) {
    const paths = registryPaths(workspaceRoot);
    console.log(`main job (dry run): nothing is started, built or pushed.`);
    console.log(
      `1. registry: reuse or start docker-registry serve ${paths.config} on ${host} (data ${paths.data}, pidfile ${paths.pidFile})`,
    );
    if (online) {
      console.log(`2. base image: the real ${REAL_BASE.slice('docker://'.length)} (Docker and gcr.io are reachable)`);
    } else {
      console.log(`2. base image ${baseImageMirrorRef(host)}:`);
      await ensureBaseImage({ workspaceRoot, registry: host, dryRun: true, log: (l) => console.log(`   ${l}`) });
    }
    console.log(`3. scan: ${scan.kind === 'ran' ? `runs (trivy at ${trivy})` : `SKIPPED — ${scan.reason}`}`);
    console.log(`4. with env ${lucidEnv} NX_DAEMON=false NX_NO_CLOUD=true:`);
    for (const p of plan) console.log(`   ${formatCommand('nx', p)}`);
    console.log(
      `5. summary table, then check ${host}/v2/_catalog for ${repository}/<service> with latest, <sha>, phase<N>-<sha>`,
    );
    return 0;
  }

  console.log(`== registry`);
  let s = performance.now();
  const registry = await ensureLocalRegistry(workspaceRoot, { port, log: console.log });
  if (registry.state === 'reused')
    console.log(`registry: reusing docker-registry on ${registry.host} (pid ${registry.pid})`);
  const registryTime = performance.now() - s;

  s = performance.now();
  if (online) {
    console.log(
      `\n== base image: Docker and gcr.io are reachable, so the real ${REAL_BASE.slice('docker://'.length)} is used`,
    );
  } else {
    console.log(`\n== base image (stand-in for gcr.io/distroless/python3-debian12:nonroot)`);
    const base = await ensureBaseImage({ workspaceRoot, registry: host, refresh: args.refreshBase, log: console.log });
    const what = {
      skipped: 'already in the registry, nothing to do',
      'pushed-cached': 'pushed from the local cache',
      built: 'built and pushed',
      'dry-run': '',
    }[base.action];
    console.log(
      `base: ${base.ref}@${base.digest.slice(0, 19)} [${base.platforms.join(', ')}] — ${what} (${secs(performance.now() - s)})`,
    );
  }
  const baseTime = performance.now() - s;

  console.log(`\n== services`);
  s = performance.now();
  const services = await listServices(options.phaseTagPrefix);
  if (!services.length) throw new Error(`no project is tagged type:service; nothing to build`);
  console.log(
    `${services.length} services; engine ${env.LUCID_ENGINE}; registry ${host}; repository ${repository}; parallel ${parallel}`,
  );
  console.log(
    process.env.LUCID_ENGINE?.trim()
      ? `engine: LUCID_ENGINE=${process.env.LUCID_ENGINE.trim()}`
      : `engine: ${engineWhy}`,
  );
  console.log(
    scan.kind === 'ran'
      ? `scan: runs with ${trivy}`
      : `scan: SKIPPED — ${scan.reason}. Images are pushed without the vulnerability gate.`,
  );

  const tasks: NxTaskResult[] = [];
  const stepTimes: string[] = [];
  for (let step of plan) {
    const isFirst = step === plan[0];
    if (!isFirst) {
      // Later steps only for what built: Nx would otherwise retry (and re-report) every failed build.
      const built = new Set(tasks.filter((x) => x.target === t.build && x.status === 0).map((x) => x.projectName));
      const ready = services.filter((x) => built.has(x.name)).map((x) => x.name);
      if (!ready.length) {
        console.log(`\nno service built; skipping ${step[2]}`);
        continue;
      }
      if (ready.length < services.length)
        step = step.map((a) => (a === `--projects=${SERVICE_SELECTOR}` ? `--projects=${ready.join(',')}` : a));
    }
    const run = await runNx(workspaceRoot, step, env);
    // Every result, with the targets this run asked for: the summary keeps each service's own outcome per target.
    for (const r of run.tasks) tasks.push({ ...r, requested: step[2].split(',') });
    stepTimes.push(`${step[2]} ${run.seconds.toFixed(1)}s`);
    if (run.exitCode !== 0 && !run.tasks.length) {
      throw new Error(
        `nx ${step.join(' ')} failed before running any task (exit ${run.exitCode}); see its output above`,
      );
    }
  }
  const nxTime = performance.now() - s;

  const { sum, failures } = printRunSummary({ workspaceRoot, services, tasks, scan, options });
  const problems = await printCatalogCheck({ workspaceRoot, registry, services, repository, options });

  const total = performance.now() - t0;
  console.log(
    `\nTotal ${secs(total)} (registry ${secs(registryTime)}, base ${secs(baseTime)}, nx ${secs(nxTime)}: ${stepTimes.join(', ')})`,
  );
  return failures.length || problems.length || sum.ok < sum.services ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`\nmain job failed: ${e.message}`);
    process.exit(1);
  },
);
