/**
 * The GitHub Actions workflows for the container pipeline, built as plain objects from the phase layout and
 * serialised with `yaml`. Pure: the ci generator supplies the phases (from project tags) and the plugin options.
 *
 *  - containers.yml (push to the default branch, workflow_dispatch): plan (phases and services from the project
 *    graph at run time, plan.ts) → per affected phase build → scan → push → attest per pushed service (signed
 *    provenance and SBOM, attest.ts), and report per service (pipeline.ts says which job holds which token);
 *  - containers-pr.yml (pull_request): plan → build → scan → report (SARIF); never pushes;
 *  - containers-rescan.yml (daily): every service's published `latest` against a fresh Trivy DB (rescan.ts);
 *  - containers-release.yml (tags <project>@<version>): `nx release publish` of the tagged project (release.ts);
 *  - containers-prune.yml (weekly; dry-run on pull requests): the registry retention policy (prune.ts).
 */
import { trivyVersionProblem } from '../config/trivy-versions';
import { attestJob } from './attest';
import { CiWorkflowInput, DEFAULT_TRIVY_VERSION, Job } from './input';
import { buildJob, Chain, chains, pushJob, reportJob, scanJob } from './pipeline';
import { planJob } from './plan';
import { assertPolicy } from './policy';
import { pruneWorkflow } from './prune';
import { releaseWorkflow } from './release';
import { renderWorkflow } from './render';
import { rescanWorkflow } from './rescan';
import { isolationJob, sharedEnv } from './steps';

export type { Arm64Mode, CiWorkflowInput, RemoteCacheMode } from './input';
export { ACTIONS } from './pins';
export { OPTIONS_HEADER, readRecordedOptions } from './render';

export interface GeneratedWorkflows {
  /** File name under .github/workflows → YAML text. */
  [file: string]: string;
}

export const CONTAINERS_WORKFLOW = 'containers.yml';
export const CONTAINERS_PR_WORKFLOW = 'containers-pr.yml';
export const RESCAN_WORKFLOW = 'containers-rescan.yml';
export const RELEASE_WORKFLOW = 'containers-release.yml';
export const PRUNE_WORKFLOW = 'containers-prune.yml';
export const WORKFLOW_FILES = [
  CONTAINERS_WORKFLOW,
  CONTAINERS_PR_WORKFLOW,
  RESCAN_WORKFLOW,
  RELEASE_WORKFLOW,
  PRUNE_WORKFLOW,
] as const;

const NATIVE_PLATFORMS = ['linux/amd64', 'linux/arm64'];

export function generateWorkflows(raw: CiWorkflowInput): GeneratedWorkflows {
  const input: CiWorkflowInput = {
    affected: 'inputs',
    remoteCache: 'none',
    rescanCron: '17 4 * * *',
    ...raw,
  };
  validateInput(input);
  const objects: Record<string, Record<string, unknown>> = {
    [CONTAINERS_WORKFLOW]: containersWorkflow(input),
    [CONTAINERS_PR_WORKFLOW]: pullRequestWorkflow(input),
    [RESCAN_WORKFLOW]: rescanWorkflow(input),
    [RELEASE_WORKFLOW]: releaseWorkflow(input),
    [PRUNE_WORKFLOW]: pruneWorkflow(input),
  };
  const out: GeneratedWorkflows = {};
  for (const [file, workflow] of Object.entries(objects)) {
    assertPolicy(workflow, file);
    out[file] = renderWorkflow(workflow, file, input.generatorOptions);
  }
  return out;
}

function validateInput(input: CiWorkflowInput): void {
  // These reach shell scripts and runner labels: plain tokens only.
  if (!/^[A-Za-z0-9:._-]+$/.test(input.phaseTagPrefix))
    throw new Error(`phaseTagPrefix "${input.phaseTagPrefix}" must be letters, digits and : . _ - only`);
  for (const [key, label] of [
    ['runner', input.runner],
    ['arm64Runner', input.arm64Runner],
  ] as const) {
    if (!/^[A-Za-z0-9._-]+$/.test(label))
      throw new Error(`--${key} "${label}" is not a runner label (letters, digits, . _ -)`);
  }
  if (!Number.isInteger(input.parallel) || input.parallel < 1)
    throw new Error(`--parallel must be a positive integer, got ${input.parallel}`);
  if (!/^v[0-9]+\.[0-9]+\.[0-9]+$/.test(input.trivyVersion)) {
    throw new Error(
      `--trivyVersion "${input.trivyVersion}" must be an explicit release such as ${DEFAULT_TRIVY_VERSION} (never latest)`,
    );
  }
  const versionProblem = trivyVersionProblem(input.trivyVersion);
  if (versionProblem) throw new Error(`--trivyVersion: ${versionProblem}`);
  if (!/^[0-9*/,-]+( [0-9*/,-]+){4}$/.test(input.rescanCron!))
    throw new Error(`--rescanCron "${input.rescanCron}" is not a five-field cron expression`);
  if (input.pruneCron !== undefined && !/^[0-9*/,-]+( [0-9*/,-]+){4}$/.test(input.pruneCron))
    throw new Error(`--pruneCron "${input.pruneCron}" is not a five-field cron expression`);
  if (input.arm64 === 'native') {
    const unsupported = input.platforms.filter((p) => !NATIVE_PLATFORMS.includes(p));
    if (unsupported.length) {
      throw new Error(
        `--arm64=native builds each platform on its own runner, and there is no runner for ${unsupported.join(', ')}; use --arm64=qemu`,
      );
    }
  }
}

function phaseJobs(input: CiWorkflowInput, flavour: 'push' | 'pull-request', gate: string[]): Record<string, Job> {
  const jobs: Record<string, Job> = {};
  const terminal = flavour === 'push' ? 'push' : 'scan';
  for (const chain of chains(input, gate, terminal) as Chain[]) {
    jobs[`build${chain.id}`] = buildJob(input, chain, flavour);
    jobs[`scan${chain.id}`] = scanJob(input, chain);
    jobs[`report${chain.id}`] = reportJob(input, chain, flavour);
    if (flavour === 'push') {
      jobs[`push${chain.id}`] = pushJob(input, chain);
      jobs[`attest${chain.id}`] = attestJob(input, chain);
    }
  }
  return jobs;
}

function containersWorkflow(input: CiWorkflowInput): Record<string, unknown> {
  const defaultPlatforms = input.platforms.join(',');
  const isolation = isolationJob(input);
  const jobs: Record<string, Job> = { plan: planJob(input, { forceInput: true }) };
  if (isolation) jobs.isolation = isolation;
  Object.assign(jobs, phaseJobs(input, 'push', isolation ? ['isolation'] : []));
  return {
    name: 'containers',
    on: {
      push: { branches: [input.defaultBranch] },
      workflow_dispatch: {
        inputs: {
          platforms: {
            description: 'Comma-separated platforms to build (LUCID_PLATFORMS)',
            type: 'string',
            required: false,
            default: defaultPlatforms,
          },
          'force-rebuild': {
            description: 'Build every service of each phase (no Nx cache) instead of the affected ones',
            type: 'boolean',
            required: false,
            default: false,
          },
        },
      },
    },
    // Never cancel a run that may be half-way through pushing; queue the next one instead.
    concurrency: { group: '${{ github.workflow }}-${{ github.ref }}', 'cancel-in-progress': false },
    permissions: { contents: 'read' },
    env: sharedEnv(
      input,
      input.arm64 === 'native' ? defaultPlatforms : `\${{ inputs.platforms || '${defaultPlatforms}' }}`,
    ),
    jobs,
  };
}

function pullRequestWorkflow(input: CiWorkflowInput): Record<string, unknown> {
  const isolation = isolationJob(input);
  const jobs: Record<string, Job> = { plan: planJob(input, { forceInput: false }) };
  if (isolation) jobs.isolation = isolation;
  Object.assign(jobs, phaseJobs(input, 'pull-request', isolation ? ['isolation'] : []));
  return {
    name: 'containers (pull request)',
    on: { pull_request: { branches: [input.defaultBranch] } },
    concurrency: {
      group: '${{ github.workflow }}-${{ github.event.pull_request.number }}',
      'cancel-in-progress': true,
    },
    permissions: { contents: 'read' },
    env: sharedEnv(input, input.platforms.join(',')),
    jobs,
  };
}
