/**
 * The release use case: registry-side version management by digest (create, list, promote, rollback,
 * delete). Dependencies (env, log, stdin, registry client options) are injectable.
 */
import { join } from 'node:path';
import { ARTIFACTS, readArtifact, writeArtifact } from '../artifacts/artifacts';
import { versionTag } from '../image/tags';
import { RegistryClient } from '../registry/client';
import { ImageTarget, openSession, resolveImageTarget, RegistryDeps, RegistrySession } from '../registry/connect';
import { ghcrPackage, GithubPackages } from '../registry/github-packages';
import { readTagDigests } from '../registry/manifest-store';
import { TagLocks } from '../registry/tag-lock';
import type { AttestationPolicyOptions } from '../config/options';
import { enforceAttestationPolicy } from './attestation-policy';
import { auditLines, describeChange, stepChanges, TagChange } from './audit';
import { tokensInEnv } from '../boundary/env-tokens';
import {
  CarriedAttestations,
  carriedAttestations,
  describeManifest,
  formatCarried,
  formatContents,
  ManifestContents,
} from './describe';
import { Referrers } from '../registry/referrers';
import {
  listVersions,
  planCreate,
  planDelete,
  planPromote,
  planRollback,
  ReleaseAction,
  ReleasePlan,
  ReleaseStep,
  resolveReleaseArgs,
  ReleaseArgs,
  TagSnapshot,
  VersionRow,
} from './plan';

/** The release executor's options (its zod schema sits beside the executor). */
export interface ReleaseOptions {
  action?: ReleaseAction;
  version?: string;
  releaseVersion?: string;
  from?: string;
  force: boolean;
  /** Where release.json (the audit record) is written, relative to the workspace root. */
  outputPath?: string;
  /** A host, or `all` (every configured registry; release-registries.ts). */
  registry?: string;
  registries?: string[];
  /** Same as --registry all. */
  allRegistries?: boolean;
  repository?: string;
  insecureRegistries: string[];
  deleteVia: 'auto' | 'github' | 'registry';
  githubApiUrl: string;
  githubOwnerType: 'auto' | 'org' | 'user';
  passwordStdin: boolean;
  username?: string;
  retries: number;
  dryRun: boolean;
  /** The release policy: promote and create verify the attached Sigstore bundles first (attestation-policy.ts). */
  requireAttestations?: AttestationPolicyOptions;
  _?: Array<string | number>;
}

/** RegistryDeps, and where the release record goes (<workspaceRoot>/<outputPath>/release.json). */
export type ReleaseDeps = RegistryDeps & { workspaceRoot?: string; now?: () => Date };

export interface ReleaseOutcome {
  plan?: ReleasePlan;
  /** Tag changes made (or, on --dry-run, that would be made), before → after. */
  changes?: TagChange[];
  versions?: Array<VersionRow & { contents: ManifestContents | null; referrers?: CarriedAttestations }>;
}

/** tag → digest for every tag of the repository (HEAD per tag, a few at a time). */
export function readSnapshot(client: RegistryClient, repository: string): Promise<Map<string, string>> {
  return readTagDigests(client, repository);
}

/** What every part of one release run shares: the session, the target, the options and deps. */
interface ReleaseRun extends RegistrySession {
  project: string;
  target: ImageTarget;
  options: ReleaseOptions;
  deps: ReleaseDeps;
  env: NodeJS.ProcessEnv;
  action: Exclude<ReleaseAction, 'list' | 'prune' | 'usage'>;
  /** '[dry-run] would ' or ''. */
  prefix: string;
}

/** The release use case: read every tag's digest, plan the action, run its steps (or print them on --dry-run). */
export async function runReleaseAction(
  project: string,
  options: ReleaseOptions,
  deps: ReleaseDeps = {},
): Promise<ReleaseOutcome> {
  const env = deps.env ?? process.env;
  const log = deps.log ?? ((l: string) => console.log(l));
  const args = resolveReleaseArgs({ ...options, version: options.releaseVersion ?? options.version });
  if (args.version !== undefined) versionTag(args.version); // a bad version fails before the registry is touched
  if (args.action === 'prune' || args.action === 'usage')
    throw new Error(`${args.action} runs through runReleaseOnRegistries (release-registries.ts)`);
  const target = resolveImageTarget(options, project, env);
  const session = await openSession(target, options, env, deps, log);
  const snapshot: TagSnapshot = await readSnapshot(session.client, target.repository);
  if (args.action === 'list') return listAction(session, target, snapshot);
  const prefix = options.dryRun ? '[dry-run] would ' : '';
  const run: ReleaseRun = { ...session, project, target, options, deps, env, action: args.action, prefix };
  const plan = planAction(args, snapshot, target.image, options.force);
  await checkPolicy(run, plan);
  return applyPlan(run, plan, snapshot);
}

/** promote and create name a digest as a release: with requireAttestations, it must carry verified bundles. */
async function checkPolicy(run: ReleaseRun, plan: ReleasePlan): Promise<void> {
  const policy = run.options.requireAttestations;
  if (!policy || (run.action !== 'promote' && run.action !== 'create')) return;
  const digests = plan.steps.flatMap((s) => (s.kind === 'tag' ? [s.digest] : []));
  if (!digests.length) return;
  if (!run.deps.workspaceRoot) throw new Error('requireAttestations needs the workspace root (its trustedRoot path)');
  await enforceAttestationPolicy(run.client, run.target, digests, {
    policy,
    workspaceRoot: run.deps.workspaceRoot,
    dryRun: run.options.dryRun,
    say: run.say,
  });
}

function planAction(args: ReleaseArgs, snapshot: TagSnapshot, image: string, force: boolean): ReleasePlan {
  if (args.action === 'create') return planCreate(snapshot, image, args.version!, args.from, force);
  if (args.action === 'promote') return planPromote(snapshot, image, args.version!);
  if (args.action === 'rollback') return planRollback(snapshot, image, args.version);
  return planDelete(snapshot, image, args.version!, force);
}

/** list: every version with what it holds. */
async function listAction(
  { client, say }: RegistrySession,
  target: ImageTarget,
  snapshot: TagSnapshot,
): Promise<ReleaseOutcome> {
  const repo = target.repository;
  const rows = listVersions(snapshot);
  say(
    `${target.image}: ${rows.length} version(s)${snapshot.has('latest') ? `, latest = ${snapshot.get('latest')}` : ', no latest'}`,
  );
  const contents = new Map<string, ManifestContents | null>();
  const carried = new Map<string, CarriedAttestations>();
  const referrers = new Referrers(client);
  for (const d of new Set(rows.map((r) => r.digest))) {
    contents.set(d, describeManifest((await client.getManifest(repo, d)).bytes));
    carried.set(d, carriedAttestations((await referrers.list(repo, d)).referrers));
  }
  for (const r of rows)
    say(
      `  ${r.latest ? '*' : ' '} ${r.tag.padEnd(16)} ${r.digest}  ${formatContents(contents.get(r.digest)!)}; ${formatCarried(carried.get(r.digest)!)}${r.alsoTagged.length ? `  (${r.alsoTagged.join(', ')})` : ''}`,
    );
  return {
    versions: rows.map((r) => ({ ...r, contents: contents.get(r.digest) ?? null, referrers: carried.get(r.digest) })),
  };
}

/** Every step's tag changes checked (a version tag never moves unless --force) before anything is written, then run. */
async function applyPlan(run: ReleaseRun, plan: ReleasePlan, snapshot: TagSnapshot): Promise<ReleaseOutcome> {
  const { options, target, say } = run;
  say(`${options.dryRun ? '[dry-run] ' : ''}${run.action} ${target.image}: ${plan.summary}`);
  const stepsChanges = plan.steps.map((step) => stepChanges(step, snapshot, target.image, options.force));
  for (const c of stepsChanges.flat())
    say(`  ${options.dryRun ? '[dry-run] would change' : 'changing'} ${describeChange(target.image, c)}`);
  const done: TagChange[] = [];
  try {
    for (const [i, step] of plan.steps.entries()) {
      if (step.kind === 'tag') await putTagStep(run, step);
      else await deleteStep(run, step);
      if (!options.dryRun) done.push(...stepsChanges[i]);
    }
  } finally {
    if (done.length) recordChanges(run, done);
  }
  if (!options.dryRun && plan.steps.length) say(`✔ ${run.action}: ${plan.summary}`);
  return { plan, changes: stepsChanges.flat() };
}

/** One audit line per change, appended to <outputPath>/release.json (the release record). */
function recordChanges({ options, deps, target, project, action, say }: ReleaseRun, changes: TagChange[]): void {
  if (!options.outputPath || !deps.workspaceRoot) {
    say('  (no outputPath: no release record written)');
    return;
  }
  const dir = join(deps.workspaceRoot, options.outputPath);
  const lines = auditLines(action, target.image, changes, (deps.now ?? (() => new Date()))());
  const previous = readArtifact(dir, ARTIFACTS.release)?.changes ?? [];
  writeArtifact(dir, ARTIFACTS.release, { schemaVersion: 1, project, changes: [...previous, ...lines] });
  say(`  audit: ${lines.length} change(s) recorded in ${join(options.outputPath, ARTIFACTS.release.file)}`);
}

/**
 * Copies the manifest bytes unchanged under the tag (same digest, every platform of the index kept). Under this
 * machine's lock for the tag, the tag must still name what the plan read (another release or push may have moved it
 * since); after the PUT it is read back.
 */
async function putTagStep(run: ReleaseRun, step: Extract<ReleaseStep, { kind: 'tag' }>): Promise<void> {
  const { client, target, say, deps } = run;
  const repo = target.repository;
  const m = await client.getManifest(repo, step.digest);
  say(
    `  ${run.prefix}PUT ${m.bytes.length} bytes of ${step.digest} (${m.mediaType}; ${formatContents(describeManifest(m.bytes))}) as ${target.image}:${step.tag}${step.previous ? ` (was ${step.previous})` : ''}`,
  );
  if (run.options.dryRun) return;
  const locks = deps.workspaceRoot ? new TagLocks(join(deps.workspaceRoot, '.lucid'), client.registry) : undefined;
  const release = await locks?.acquire(repo, step.tag);
  try {
    const before = (await client.headManifest(repo, step.tag))?.digest;
    if (before !== step.previous && before !== step.digest)
      throw new Error(
        `${target.image}:${step.tag} changed while this release ran: it names ${before ?? 'nothing'} now, ${step.previous ?? 'nothing'} when read; nothing was written for it (rerun to plan again)`,
      );
    await client.putManifest(repo, step.tag, m.bytes, m.mediaType);
    const now = await client.headManifest(repo, step.tag);
    if (now?.digest !== step.digest)
      throw new Error(
        `${target.image}:${step.tag} names ${now?.digest ?? 'nothing'} after the PUT, expected ${step.digest}`,
      );
  } finally {
    release?.();
  }
}

/** Deletes a version by digest: through the GitHub Packages API on ghcr.io, else the registry API. */
async function deleteStep(run: ReleaseRun, step: Extract<ReleaseStep, { kind: 'delete' }>): Promise<void> {
  const { options, target, client, say, prefix } = run;
  const repo = target.repository;
  const viaGithub = options.deleteVia === 'github' || (options.deleteVia === 'auto' && target.registry === 'ghcr.io');
  if (viaGithub) return deleteViaGithub(run, step);
  say(`  ${prefix}DELETE /v2/${repo}/manifests/${step.digest} (tags ${step.tags.join(', ')})`);
  if (!options.dryRun) await client.deleteManifest(repo, step.digest);
}

async function deleteViaGithub(run: ReleaseRun, step: Extract<ReleaseStep, { kind: 'delete' }>): Promise<void> {
  const { options, target, credentials, env, say, prefix } = run;
  const repo = target.repository;
  // The GitHub API token: the ghcr.io credentials, else GHCR_TOKEN/GITHUB_TOKEN (sent to the API, not to the registry).
  const githubToken = target.registry === 'ghcr.io' && credentials ? credentials.password : tokensInEnv(env)[0];
  if (!githubToken)
    throw new Error(
      'deleting on ghcr.io goes through the GitHub Packages API: set GHCR_TOKEN or GITHUB_TOKEN (read:packages, delete:packages)',
    );
  const gh = new GithubPackages({
    token: githubToken,
    ...ghcrPackage(repo),
    ownerType: options.githubOwnerType,
    apiUrl: options.githubApiUrl,
  });
  const version = await gh.versionForDigest(step.digest);
  if (!version) throw new Error(`GitHub Packages has no version ${step.digest} of ${repo}; nothing was deleted`);
  say(
    `  ${prefix}DELETE GitHub package version ${version.id} (${step.digest}; tags ${(version.metadata?.container?.tags ?? step.tags).join(', ')})`,
  );
  if (!options.dryRun) await gh.deleteVersion(version.id);
}
