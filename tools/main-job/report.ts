/** The main job's report: the summary table and failures from the Nx run, then the registry catalog check. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, gitMaybe } from '../nx-lucid/src/boundary/git';
import type { PluginOptions } from '../nx-lucid/src/config/options';
import { parseBuildMetadata, BuildMetadata } from '../nx-lucid/src/artifacts/metadata';
import { RegistryClient } from '../nx-lucid/src/registry/client';
import { terminalOutput } from './nx';
import {
  checkCatalog,
  formatTable,
  NxTaskResult,
  PushReport,
  pushReportSchema,
  ScanState,
  Service,
  serviceRow,
  totals,
  totalsLine,
} from './summary';

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

export function printRunSummary(run: {
  workspaceRoot: string;
  services: Service[];
  tasks: NxTaskResult[];
  scan: ScanState;
  options: PluginOptions;
}): { sum: ReturnType<typeof totals>; failures: NxTaskResult[] } {
  const { workspaceRoot, services, tasks, scan, options } = run;
  const t = options.targetNames;
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

  return { sum, failures };
}

export async function printCatalogCheck(run: {
  workspaceRoot: string;
  registry: { host: string; url: string };
  services: Service[];
  repository: string;
  options: PluginOptions;
}): Promise<string[]> {
  const { workspaceRoot, registry, services, repository, options } = run;
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

  return problems;
}
