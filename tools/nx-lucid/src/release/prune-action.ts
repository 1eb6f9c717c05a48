/**
 * container-release prune and usage: open the repository as a manifest store (ghcr.io through the GitHub Packages
 * API, any other registry through the distribution API; `deleteVia` chooses), then prune it with the retention
 * policy or read it for the usage report. The workspace form (`lucid prune|usage`) calls these once per service.
 */
import { join } from 'node:path';
import { ARTIFACTS, readArtifact, writeArtifact } from '../artifacts/artifacts';
import type { ReleaseChange } from '../artifacts/release-record';
import type { RetentionOptions } from '../config/options';
import { tokensInEnv } from '../boundary/env-tokens';
import { ImageTarget, openSession, RegistrySession, resolveImageTarget } from '../registry/connect';
import { ghcrPackage, GithubPackages } from '../registry/github-packages';
import { DistributionStore, GithubPackagesStore, ManifestStore } from '../registry/manifest-store';
import { readRepositoryGraph, RepositoryGraph } from './prune-graph';
import { pruneRepository, PruneOutcome } from './prune-run';
import type { ReleaseDeps, ReleaseOptions } from './run-release';
import { printUsage, usageReport, UsageReport } from './usage';

export type RetentionActionOptions = ReleaseOptions & { retention: RetentionOptions; json?: boolean };

/** The store for the target: GitHub Packages on ghcr.io (deleteVia auto) or when asked, else the registry API. */
export function openStore(
  target: ImageTarget,
  session: RegistrySession,
  options: Pick<ReleaseOptions, 'deleteVia' | 'githubApiUrl' | 'githubOwnerType'>,
  env: NodeJS.ProcessEnv,
): ManifestStore {
  const viaGithub = options.deleteVia === 'github' || (options.deleteVia === 'auto' && target.registry === 'ghcr.io');
  if (!viaGithub) return new DistributionStore(session.client, target.repository, target.image);
  // The GitHub API token: the ghcr.io credentials, else GHCR_TOKEN/GITHUB_TOKEN (sent to the API, not to the registry).
  const token =
    target.registry === 'ghcr.io' && session.credentials ? session.credentials.password : tokensInEnv(env)[0];
  if (!token)
    throw new Error(
      `${target.image}: ghcr.io is pruned through the GitHub Packages API: set GHCR_TOKEN or GITHUB_TOKEN (read:packages, delete:packages)`,
    );
  const packages = new GithubPackages({
    token,
    ...ghcrPackage(target.repository),
    ownerType: options.githubOwnerType,
    apiUrl: options.githubApiUrl,
  });
  return new GithubPackagesStore(session.client, target.repository, packages, target.image);
}

async function storeFor(project: string, options: ReleaseOptions, deps: ReleaseDeps) {
  const env = deps.env ?? process.env;
  const log = deps.log ?? ((l: string) => console.log(l));
  const target = resolveImageTarget(options, project, env);
  const session = await openSession(target, options, env, deps, log);
  return { store: openStore(target, session, options, env), session, target, env };
}

/** Every tag the prune deleted (alone, or with its manifest), as audit lines of release.json. */
function auditPrune(project: string, outcome: PruneOutcome, options: RetentionActionOptions, deps: ReleaseDeps) {
  const at = (deps.now ?? (() => new Date()))().toISOString();
  const lines: ReleaseChange[] = outcome.done
    .flatMap((s) => (s.kind === 'tag' ? [s.tag] : s.tags).map((tag) => ({ tag, digest: s.digest })))
    .map(({ tag, digest }) => ({
      at,
      action: 'prune',
      image: outcome.image,
      tag,
      before: digest,
      after: null,
      forced: false,
    }));
  if (!lines.length || !options.outputPath || !deps.workspaceRoot) return;
  const dir = join(deps.workspaceRoot, options.outputPath);
  const previous = readArtifact(dir, ARTIFACTS.release)?.changes ?? [];
  writeArtifact(dir, ARTIFACTS.release, { schemaVersion: 1, project, changes: [...previous, ...lines] });
}

/** container-release prune: the policy's deletions (or, with --dry-run, what they would be). */
export async function runPruneAction(
  project: string,
  options: RetentionActionOptions,
  deps: ReleaseDeps = {},
): Promise<PruneOutcome> {
  const { store, session } = await storeFor(project, options, deps);
  return pruneRepository(store, {
    policy: options.retention,
    dryRun: options.dryRun,
    now: (deps.now ?? (() => new Date()))(),
    say: session.say,
    record: (done) => auditPrune(project, done, options, deps),
  });
}

/** One service's repository graph, for the usage report. */
export async function readServiceGraph(
  project: string,
  options: ReleaseOptions,
  deps: ReleaseDeps = {},
): Promise<{
  service: string;
  image: string;
  graph: RepositoryGraph;
  say: (l: string) => void;
  env: NodeJS.ProcessEnv;
}> {
  const { store, session, target, env } = await storeFor(project, options, deps);
  return { service: project, image: target.image, graph: await readRepositoryGraph(store), say: session.say, env };
}

/** container-release usage: this service alone (shared bytes need the others: `lucid usage`). */
export async function runUsageAction(
  project: string,
  options: RetentionActionOptions,
  deps: ReleaseDeps = {},
): Promise<UsageReport> {
  const read = await readServiceGraph(project, options, deps);
  const report = usageReport([read]);
  printUsage(report, { json: options.json ?? false, env: read.env, say: read.say });
  if (!options.json) read.say('(one service: no bytes counted as shared; `lucid usage` compares every service)');
  return report;
}
