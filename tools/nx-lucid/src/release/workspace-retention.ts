/**
 * `lucid prune` and `lucid usage`: every service's container-release target at once, in one process. Usage needs
 * all services together (a blob is "shared" when another service's repository holds it too) and one table; prune
 * runs service by service and ends with one summary. The caller passes each service's parsed target options.
 */
import { appendText } from '../boundary/files';
import { readServiceGraph, RetentionActionOptions, runPruneAction } from './prune-action';
import { formatBytes, PruneOutcome } from './prune-run';
import type { ReleaseDeps } from './run-release';
import { printUsage, usageReport, UsageReport } from './usage';

export interface ServiceRelease {
  project: string;
  options: RetentionActionOptions;
}

export async function workspaceUsage(
  services: ServiceRelease[],
  /** `out`: where the report goes when it is not `deps.log` (with --json, stdout, while retry notices go elsewhere). */
  o: { json: boolean; out?: (line: string) => void },
  deps: ReleaseDeps = {},
): Promise<UsageReport> {
  const graphs = [];
  for (const s of services) graphs.push(await readServiceGraph(s.project, s.options, deps));
  const report = usageReport(graphs);
  const say = o.out ?? deps.log ?? ((l: string) => console.log(l));
  printUsage(report, { json: o.json, env: deps.env ?? process.env, say });
  return report;
}

function pruneMarkdown(outcomes: PruneOutcome[], dryRun: boolean): string {
  const rows = outcomes.map((p) => {
    const deleted = dryRun ? p.plan.steps.length : p.done.length;
    const bytes = dryRun ? p.plan.bytesFreed : p.bytesFreed;
    return `| ${p.image} | ${p.plan.decisions.filter((d) => d.keep).length} | ${deleted} | ${p.plan.blocked.length} | ${formatBytes(bytes)} |`;
  });
  return [
    `### Registry prune${dryRun ? ' (dry run: nothing deleted)' : ''}`,
    '',
    `| image | tags kept | ${dryRun ? 'would delete' : 'deleted'} | tags that cannot go alone | frees |`,
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** Prunes each service in turn (a failure stops at that service: those before it are done and consistent). */
export async function workspacePrune(services: ServiceRelease[], deps: ReleaseDeps = {}): Promise<PruneOutcome[]> {
  const outcomes: PruneOutcome[] = [];
  for (const s of services) outcomes.push(await runPruneAction(s.project, s.options, deps));
  const dryRun = services.some((s) => s.options.dryRun);
  const total = outcomes.reduce((n, p) => n + (dryRun ? p.plan.bytesFreed : p.bytesFreed), 0);
  const say = deps.log ?? ((l: string) => console.log(l));
  say(`${dryRun ? '[dry-run] would free' : 'freed'} ${formatBytes(total)} over ${outcomes.length} service(s)`);
  const summary = (deps.env ?? process.env).GITHUB_STEP_SUMMARY;
  if (summary) appendText(summary, `${pruneMarkdown(outcomes, dryRun)}\n`);
  return outcomes;
}
