/**
 * The rules every generated workflow must keep, checked on the workflow object (the generator refuses to write
 * one that breaks them, and the specs run the same check over the committed files):
 *  - every `uses:` is pinned by a 40-hex SHA that is in the pins table;
 *  - a job that runs Trivy holds no token that can write: every permission read/none, no GITHUB_TOKEN /
 *    github.token / ACTIONS_RUNTIME_TOKEN / write secret in any env, no step that exports the runtime token,
 *    checkouts without persisted credentials, and setup-trivy at an explicit, uncompromised version;
 *  - `packages: write` only in a job that pushes (images, or attestations beside them) or prunes the registry
 *    (`lucid prune` without --dry-run), and runs no Trivy;
 *  - `id-token: write` and `attestations: write` only in a job that signs (actions/attest-build-provenance,
 *    actions/attest-sbom) and runs no Trivy; each attest step names its subject by name and digest and pushes the
 *    bundle to the registry, and its job holds the three permissions it needs;
 *  - a workflow that pushes images signs them: provenance and SBOM.
 */
import { isCompromisedTrivy } from './input';
import { checkUses, PINS } from './pins';

type Step = { uses?: string; run?: string; env?: Record<string, unknown>; with?: Record<string, unknown> };
type Job = { permissions?: Record<string, string> | string; env?: Record<string, unknown>; steps?: Step[] };

const TOKEN_IN_ENV =
  /secrets\.GITHUB_TOKEN|github\.token|ACTIONS_RUNTIME_TOKEN|secrets\.NX_CACHE_READ_WRITE_TOKEN|secrets\.NX_CLOUD_ACCESS_TOKEN/i;
const repoOf = (uses?: string) => (uses ? uses.split('@')[0].split('/').slice(0, 2).join('/') : '');

export function runsTrivy(job: Job): boolean {
  return (job.steps ?? []).some(
    (s) =>
      repoOf(s.uses) === PINS.setupTrivy.repository ||
      /(^|\s)trivy\s/.test(s.run ?? '') ||
      /-t [^\n]*\bscan\b|:\$?\{?SCAN_TARGET|:scan\b/.test(s.run ?? ''),
  );
}

export function pushes(job: Job): boolean {
  return (job.steps ?? []).some((s) => /container-push|nx release publish/.test(s.run ?? ''));
}

/** A job that deletes from the registry: `lucid prune` without --dry-run. */
export function prunes(job: Job): boolean {
  return (job.steps ?? []).some((s) => /\blucid prune\b(?![^\n]*--dry-run)/.test(s.run ?? ''));
}

const ATTEST_ACTIONS: readonly string[] = [PINS.attestProvenance.repository, PINS.attestSbom.repository];

export function attests(job: Job): boolean {
  return (job.steps ?? []).some((s) => ATTEST_ACTIONS.includes(repoOf(s.uses)));
}

/** The attest steps' own rules, and the permissions of the job that runs them (or holds them without need). */
function attestViolations(id: string, job: Job): string[] {
  const problems: string[] = [];
  const permissions = typeof job.permissions === 'object' ? job.permissions : {};
  for (const scope of ['id-token', 'attestations'] as const) {
    if (permissions[scope] === 'write' && (!attests(job) || runsTrivy(job)))
      problems.push(`${id}: ${scope}: write in a job that ${runsTrivy(job) ? 'runs Trivy' : 'signs nothing'}`);
  }
  (job.steps ?? []).forEach((step, i) => {
    if (!ATTEST_ACTIONS.includes(repoOf(step.uses))) return;
    const w = step.with ?? {};
    if (w['push-to-registry'] !== true)
      problems.push(`${id} step ${i + 1}: attestation not pushed to the registry (push-to-registry: true)`);
    if (!w['subject-name'] || !w['subject-digest'] || w['subject-path'] || w['subject-checksums'])
      problems.push(`${id} step ${i + 1}: the subject must be subject-name + subject-digest (the pushed image)`);
    for (const scope of ['id-token', 'attestations', 'packages'])
      if (permissions[scope] !== 'write') problems.push(`${id} step ${i + 1}: signs without ${scope}: write`);
  });
  return problems;
}

/** A workflow that pushes images signs them: both attest actions appear in it. */
function signingViolations(jobs: Record<string, Job>): string[] {
  const all = Object.values(jobs);
  if (!all.some(pushes)) return [];
  const used = new Set(all.flatMap((j) => (j.steps ?? []).map((s) => repoOf(s.uses))));
  return ATTEST_ACTIONS.filter((a) => !used.has(a)).map((a) => `pushes images but never runs ${a}`);
}

export function policyViolations(workflow: { env?: Record<string, unknown>; jobs?: Record<string, Job> }): string[] {
  const problems: string[] = signingViolations(workflow.jobs ?? {});
  for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
    problems.push(...attestViolations(id, job));
    const steps = job.steps ?? [];
    steps.forEach((step, i) => {
      if (step.uses) {
        const r = checkUses(step.uses);
        if ('problem' in r) problems.push(`${id} step ${i + 1}: ${r.problem}`);
      }
      if (repoOf(step.uses) === PINS.setupTrivy.repository) {
        const version = String(step.with?.version ?? 'latest');
        if (!/^v[0-9]+\.[0-9]+\.[0-9]+$/.test(version))
          problems.push(`${id}: setup-trivy must install an explicit version, not "${version}"`);
        if (isCompromisedTrivy(version)) problems.push(`${id}: Trivy ${version} is a compromised release`);
      }
    });
    const permissions = job.permissions;
    const writes =
      permissions === undefined
        ? ['(inherited)']
        : typeof permissions === 'string'
          ? [permissions]
          : Object.entries(permissions)
              .filter(([, v]) => v === 'write')
              .map(([k]) => k);
    if (permissions === undefined) problems.push(`${id}: no job-level permissions (it would inherit the workflow's)`);
    const pushesSomething = pushes(job) || attests(job) || prunes(job);
    if (typeof permissions === 'object' && permissions.packages === 'write' && (!pushesSomething || runsTrivy(job))) {
      problems.push(`${id}: packages: write in a job that ${runsTrivy(job) ? 'runs Trivy' : 'does not push or prune'}`);
    }
    if (!runsTrivy(job)) continue;
    if (writes.length) problems.push(`${id}: runs Trivy with write permissions (${writes.join(', ')})`);
    const envs = [workflow.env, job.env, ...steps.map((s) => s.env)];
    for (const env of envs) {
      for (const [k, v] of Object.entries(env ?? {})) {
        if (TOKEN_IN_ENV.test(`${k}=${String(v)}`) || /^(GITHUB_TOKEN|GHCR_TOKEN|GH_TOKEN)$/.test(k))
          problems.push(`${id}: runs Trivy with a token in its environment (${k})`);
      }
    }
    steps.forEach((step, i) => {
      if (repoOf(step.uses) === PINS.githubRuntime.repository)
        problems.push(`${id} step ${i + 1}: exports ACTIONS_RUNTIME_TOKEN to the Trivy steps`);
      if (repoOf(step.uses) === PINS.checkout.repository && step.with?.['persist-credentials'] !== false) {
        problems.push(
          `${id} step ${i + 1}: checkout keeps the token in .git/config where Trivy can read it (persist-credentials: false)`,
        );
      }
    });
  }
  return problems;
}

export function assertPolicy(workflow: Record<string, unknown>, file: string): void {
  const problems = policyViolations(workflow as never);
  if (problems.length)
    throw new Error(`${file} would break the workflow rules:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}
