/**
 * A release action on one registry (`--registry <host>`, default the first configured) or on every configured
 * one (`--registry all` or `--allRegistries`). On several, each registry's plan is checked first (a dry run,
 * silent: a refused version move anywhere stops the action before any registry is changed), then each runs.
 */
import { resolveImageTargets } from '../registry/connect';
import { ReleaseDeps, ReleaseOptions, ReleaseOutcome, runReleaseAction } from './run-release';

export type RegistriesReleaseOutcome = ReleaseOutcome & {
  /** With every registry: each one's outcome (the first is also the top-level fields). */
  registries?: Array<ReleaseOutcome & { registry: string }>;
};

export async function runReleaseOnRegistries(
  project: string,
  options: ReleaseOptions,
  deps: ReleaseDeps = {},
): Promise<RegistriesReleaseOutcome> {
  if (!options.allRegistries && options.registry !== 'all') return runReleaseAction(project, options, deps);
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
    runReleaseAction(project, { ...options, ...o, registry, registries: undefined }, { ...deps, env: pinned, ...d });
  const log = deps.log ?? ((l: string) => console.log(l));
  if (!options.dryRun && hosts.length > 1)
    for (const host of hosts) await on(host, { dryRun: true }, { log: () => undefined });
  const registries: NonNullable<RegistriesReleaseOutcome['registries']> = [];
  for (const host of hosts) registries.push({ registry: host, ...(await on(host, {}, { log })) });
  return { ...registries[0], registries };
}
