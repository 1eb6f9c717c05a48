/**
 * The main job (README command 1, `npm start`): embedded registry → distroless stand-in base →
 * build (+ scan when Trivy is installed) → push → verify every service, then a summary and a
 * catalog check.
 *
 *   node -r @swc-node/register tools/main-job/main.ts [--dry-run] [--refresh-base] [--stop-registry]
 *
 * Env: LUCID_LOCAL_REGISTRY_PORT (5055), LUCID_LOCAL_REPOSITORY (hamigames/lucid), LUCID_PARALLEL (2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatCommand, INSTALL_HINTS, runProcess, which } from '../nx-lucid/src/boundary/process';
import { parseBuildMetadata, BuildMetadata } from '../nx-lucid/src/metadata/metadata';
import { normalizePluginOptions } from '../nx-lucid/src/config/options';
import { phaseFromTags } from '../nx-lucid/src/config/phase';
import { baseImageMirrorRef, ensureBaseImage, mirrorPrefix } from '../base-image/build';
import { RegistryClient } from '../nx-lucid/src/registry/client';
import { git, gitMaybe } from '../nx-lucid/src/boundary/git';
import { runNx, terminalOutput } from './nx';
import { ensureLocalRegistry, localRegistryPort, registryPaths, stopLocalRegistry } from './registry';
import {
  checkCatalog,
  formatTable,
  NxTaskResult,
  PushReport,
  pushReportSchema,
  totalsLine,
  ScanState,
  Service,
  serviceRow,
  totals,
} from './summary';

const workspaceRoot = join(__dirname, '..', '..');
const SERVICE_SELECTOR = 'tag:type:service';

interface Args {
  dryRun: boolean;
  refreshBase: boolean;
  stopRegistry: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const known = new Set(['--dry-run', '--refresh-base', '--stop-registry']);
  const unknown = argv.filter((a) => !known.has(a));
  if (unknown.length) {
    throw new Error(`unknown argument ${unknown.join(' ')}; expected ${[...known].join(' | ')}`);
  }
  return {
    dryRun: argv.includes('--dry-run'),
    refreshBase: argv.includes('--refresh-base'),
    stopRegistry: argv.includes('--stop-registry'),
  };
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

function nxJsonPluginOptions() {
  const nxJson = JSON.parse(readFileSync(join(workspaceRoot, 'nx.json'), 'utf8')) as { plugins?: unknown[] };
  const entry = (nxJson.plugins ?? []).find(
    (p): p is { plugin: string; options?: unknown } =>
      typeof p === 'object' && p !== null && (p as { plugin?: string }).plugin === '@lucid/nx-lucid',
  );
  return normalizePluginOptions(entry?.options ?? {});
}

async function listServices(phaseTagPrefix: string): Promise<Service[]> {
  const { createProjectGraphAsync } = await import('@nx/devkit');
  const graph = await createProjectGraphAsync({ exitOnError: false });
  const services: Service[] = [];
  for (const node of Object.values(graph.nodes)) {
    const tags = node.data.tags ?? [];
    if (!tags.includes('type:service')) continue;
    services.push({ name: node.name, phase: phaseFromTags(tags, phaseTagPrefix) });
  }
  return services.sort((a, b) => (a.phase ?? 99) - (b.phase ?? 99) || a.name.localeCompare(b.name));
}

function readJson<T>(file: string, parse: (raw: unknown) => T): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    console.warn(`warning: ${file}: ${(e as Error).message}`);
    return undefined;
  }
}

async function catalogOf(
  client: RegistryClient,
  repos: readonly string[],
): Promise<{ catalog: string[]; tags: Record<string, string[]> }> {
  const catalog = await client.listRepositories();
  const tags: Record<string, string[]> = {};
  for (const repo of repos.filter((r) => catalog.includes(r))) tags[repo] = await client.listTags(repo, 1000);
  return { catalog, tags };
}

function failedTasks(tasks: readonly NxTaskResult[]): NxTaskResult[] {
  return tasks.filter((t) => t.status !== 0);
}

const REAL_BASE = 'docker://gcr.io/distroless/python3-debian12:nonroot';

/**
 * With a Docker engine and internet, the job uses buildx and the real distroless base; otherwise (as here)
 * buildah and the stand-in base on the local mirror. LUCID_ENGINE / LUCID_OFFLINE=1 override the probe.
 */
async function dockerAndRealBase(): Promise<boolean> {
  if (process.env.LUCID_OFFLINE === '1') return false;
  const ok = async (cmd: string, argv: string[], timeoutMs: number) =>
    (await runProcess(cmd, argv, { allowFailure: true, timeoutMs }).catch(() => undefined))?.exitCode === 0;
  return (
    (await ok('docker', ['buildx', 'inspect', '--bootstrap'], 20000)) &&
    (await ok('skopeo', ['inspect', '--raw', '--retry-times', '0', REAL_BASE], 15000))
  );
}

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
  const options = nxJsonPluginOptions();
  const repository = process.env.LUCID_LOCAL_REPOSITORY?.trim() || options.repository;
  const parallel = process.env.LUCID_PARALLEL?.trim() || '2';
  const t = options.targetNames;
  const online = await dockerAndRealBase();
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
    for (const r of run.tasks) if (!tasks.some((x) => x.taskId === r.taskId && x.status !== 0)) tasks.push(r);
    stepTimes.push(`${step[2]} ${run.seconds.toFixed(1)}s`);
    if (run.exitCode !== 0 && !run.tasks.length) {
      throw new Error(
        `nx ${step.join(' ')} failed before running any task (exit ${run.exitCode}); see its output above`,
      );
    }
  }
  const nxTime = performance.now() - s;

  // Summary
  const rows = [];
  const pushes: (PushReport | undefined)[] = [];
  for (const svc of services) {
    const dir = join(workspaceRoot, options.outputRoot, svc.name);
    const metadata = readJson<BuildMetadata>(join(dir, 'metadata.json'), (r) =>
      parseBuildMetadata(r, `${svc.name}/metadata.json`),
    );
    const push = readJson(join(dir, 'push.json'), (r) => pushReportSchema.parse(r));
    pushes.push(
      tasks.some((x) => x.projectName === svc.name && x.target === t.push && x.status === 0) ? push : undefined,
    );
    rows.push(serviceRow({ service: svc, metadata, push, tasks, scan, targets: t }));
  }
  console.log(`\n== summary\n`);
  console.log(formatTable(rows));
  const sum = totals(rows, pushes);
  console.log(`\n${totalsLine(sum)}`);
  if (sum.fromCache === sum.services && sum.uploadedBytes === 0) {
    console.log('Nothing changed: every build came from the Nx cache and no blob was uploaded.');
  }
  if (scan.kind === 'skipped') console.log(`Scan was skipped: ${scan.reason}.`);

  const failures = failedTasks(tasks);
  const byTarget = new Map<string, NxTaskResult[]>();
  for (const f of failures) byTarget.set(f.target, [...(byTarget.get(f.target) ?? []), f]);
  for (const [target, failed] of byTarget) {
    console.log(`\nFAILED ${target} for ${failed.length} service(s): ${failed.map((f) => f.projectName).join(', ')}`);
    const output = failed[0].hash ? terminalOutput(workspaceRoot, failed[0].hash) : '';
    if (output)
      console.log(
        `  first error (${failed[0].projectName}):\n${output
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n')}`,
      );
    console.log(`  rerun one alone with: npx nx run ${failed[0].taskId} (with the LUCID_* env above)`);
  }

  // Catalog
  console.log(`\n== catalog ${registry.url}/v2/_catalog`);
  const client = new RegistryClient({ registry: registry.host });
  if ((await client.probe()) !== 200) {
    throw new Error(
      `the registry on ${registry.host} stopped answering during the run; rerun npm start (it restarts it on the same data)`,
    );
  }
  const gitSha = (await git(workspaceRoot, ['rev-parse', 'HEAD'])).trim();
  const branch = (await gitMaybe(workspaceRoot, ['branch', '--show-current'])) ?? '';
  const expectLatest = branch === options.latestOnBranch;
  const repos = services.map((x) => `${repository}/${x.name}`);
  const { catalog, tags } = await catalogOf(client, repos);
  const problems = checkCatalog(services, repository, catalog, tags, gitSha, expectLatest);
  const listed = repos.filter((r) => catalog.includes(r)).length;
  console.log(
    `${listed}/${services.length} ${repository}/<service> repositories listed; ` +
      `${problems.length ? `${problems.length} with problems:` : `each has ${expectLatest ? 'latest, ' : ''}<sha> and phase<N>-<sha> (sha ${gitSha.slice(0, 7)})`}`,
  );
  const absent = problems.filter((p) => p.endsWith(': not in the catalog'));
  if (absent.length > 3)
    console.log(`  ${absent.length} repositories are not in the catalog (their push did not run or failed)`);
  for (const p of absent.length > 3 ? problems.filter((p) => !absent.includes(p)) : problems) console.log(`  ${p}`);
  if (!expectLatest)
    console.log(
      `  (latest is only pushed from branch ${options.latestOnBranch}; this is ${branch || 'a detached HEAD'})`,
    );

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
