/**
 * A release action on one registry (`--registry <host>`, default the first configured) or on every configured
 * one (`--registry all` or `--allRegistries`). On several, each registry's plan is checked first (a dry run,
 * silent: a refused version move anywhere stops the action before any registry is changed), then each runs.
 * prune and usage (prune-action.ts) run on each registry in turn.
 */
import type { RetentionOptions } from '../config/options';
import { resolveImageTargets } from '../registry/connect';
import { resolveReleaseArgs } from './plan';
import { runPruneAction, runUsageAction } from './prune-action';
import type { PruneOutcome } from './prune-run';
import { ReleaseDeps, ReleaseOptions, ReleaseOutcome, runReleaseAction } from './run-release';
import type { UsageReport } from './usage';

export type RegistriesReleaseOutcome = ReleaseOutcome & {
  /** prune: what was (or would be) deleted. */
  prune?: PruneOutcome;
  /** usage: the report. */
  usage?: UsageReport;
  /** With every registry: each one's outcome (the first is also the top-level fields). */
  registries?: Array<ReleaseOutcome & { registry: string; prune?: PruneOutcome; usage?: UsageReport }>;
};

/** The release executor's options: the version actions' and the retention policy (prune, usage). */
export type ReleaseActionOptions = ReleaseOptions & { retention?: RetentionOptions; json?: boolean };

/** One registry: prune and usage through prune-action.ts, every other action through run-release.ts. */
async function runOne(project: string, options: ReleaseActionOptions, deps: ReleaseDeps) {
  const { action } = resolveReleaseArgs({ ...options, version: options.releaseVersion ?? options.version });
  if (action !== 'prune' && action !== 'usage') return runReleaseAction(project, options, deps);
  if (!options.retention) throw new Error(`${action}: no retention policy (plugin option \`retention\`)`);
  const retentionOptions = { ...options, retention: options.retention };
  if (action === 'prune') return { prune: await runPruneAction(project, retentionOptions, deps) };
  return { usage: await runUsageAction(project, retentionOptions, deps) };
}

export async function runReleaseOnRegistries(
  project: string,
  options: ReleaseActionOptions,
  deps: ReleaseDeps = {},
): Promise<RegistriesReleaseOutcome> {
  if (!options.allRegistries && options.registry !== 'all') return runOne(project, options, deps);
  const env = deps.env ?? process.env;
  if (options.registry === 'all' && !options.registries && env.LUCID_REGISTRIES === undefined)
    throw new Error('--registry all: no registries are configured (plugin option `registries`, or LUCID_REGISTRIES)');
  const registry = options.registry === 'all' ? undefined : options.registry;
  const hosts = resolveImageTargets({ ...options, registry }, project, env).map((t) => t.registry);
  if (options.passwordStdin && hosts.length > 1)
    throw new Error(
      `--password-stdin gives one password, and this release targets ${hosts.join(', ')}: give each registry its own (LUCID_REGISTRY_<HOST>_USERNAME/_PASSWORD or docker login), or name one with --registry`,
    );
  // Each run is pinned to its host: the LUCID_REGISTRY(IES) overrides were applied in choosing the hosts.
  const pinned = { ...env, LUCID_REGISTRY: undefined, LUCID_REGISTRIES: undefined };
  const on = (registry: string, o: Partial<ReleaseOptions>, d: Partial<ReleaseDeps>) =>
    runOne(project, { ...options, ...o, registry, registries: undefined }, { ...deps, env: pinned, ...d });
  const log = deps.log ?? ((l: string) => console.log(l));
  const { action } = resolveReleaseArgs({ ...options, version: options.releaseVersion ?? options.version });
  if (!options.dryRun && hosts.length > 1 && action !== 'prune' && action !== 'usage')
    for (const host of hosts) await on(host, { dryRun: true }, { log: () => undefined });
  const registries: NonNullable<RegistriesReleaseOutcome['registries']> = [];
  for (const host of hosts) registries.push({ registry: host, ...(await on(host, {}, { log })) });
  return { ...registries[0], registries };
}
