/**
 * The per-phase job chain of containers.yml and containers-pr.yml, split so that no job holds a token it does
 * not need:
 *   build  — buildx (+ the GHA BuildKit cache, whose ACTIONS_RUNTIME_TOKEN crazy-max/ghaction-github-runtime
 *            exports to every later step), read-only GITHUB_TOKEN, no Trivy; hands dist/containers on;
 *   scan   — Trivy (scan) and container-verify on the handed-over outputs, read-only token, nothing exported;
 *   push   — (default branch) container-push by digest, with packages: write, no Trivy; hands each push.json
 *            and SBOM to
 *   attest — one job per pushed service: signed provenance and SBOM (attest.ts), the only jobs with id-token
 *            and attestations: write; SARIF goes up from a `report` job per service; pull requests push nothing.
 * Outputs travel through the Actions cache under a key unique to the run attempt (only pinned actions are
 * allowed, and actions/cache is one; upload-artifact is not).
 */
import type { Chain, CiWorkflowInput, Job, Step } from './input';
import { handoffDir, handoffRestores, mergePlatforms, native, reportUploads, stash, unstash } from './native-handoff';
import { saveAttestSubjects } from './attest';
import { ACTIONS } from './pins';
import { archMatrix, sequentialShards, UNTAGGED } from './plan';
import {
  bin,
  checkout,
  handoffKey,
  registryCredentialEnv,
  remoteCacheEnv,
  restoreHandoff,
  saveHandoff,
  setupNode,
  trivySteps,
} from './steps';

export type { Chain } from './input';
export type Flavour = 'push' | 'pull-request' | 'release';

/** The chains: one matrix over the planned phases, or one chain per phase that waits for the previous one. */
export function chains(input: CiWorkflowInput, gate: string[], terminal: string): Chain[] {
  const archSuffix = native(input) ? '-${{ matrix.arch }}' : '';
  if (!input.sequentialPhases) {
    return [
      {
        id: '',
        label: native(input) ? '${{ matrix.label }} on ${{ matrix.platform }}' : '${{ matrix.label }}',
        needs: ['plan', ...gate],
        if: "needs.plan.outputs.any == 'true'",
        strategy: { 'fail-fast': false, matrix: '${{ fromJSON(needs.plan.outputs.matrix) }}' },
        projects: '${{ matrix.projects }}',
        parallel: '${{ matrix.parallel }}',
        suffix: `phase-\${{ matrix.phase }}${archSuffix}`,
        services: 'needs.plan.outputs.services',
      },
    ];
  }
  let previous: string | null = null;
  return sequentialShards(input).map((key) => {
    const needs = ['plan', ...gate, ...(previous ? [previous] : [])];
    previous = `${terminal}-${key}`;
    const output = `needs.plan.outputs.phase_${key}`;
    const label = key === UNTAGGED ? UNTAGGED : `phase ${key}`;
    return {
      id: `-${key}`,
      label: native(input) ? `${label} on \${{ matrix.platform }}` : label,
      needs,
      // A phase with nothing affected is skipped, and the next one must still run after it.
      if: `always() && !contains(needs.*.result, 'failure') && !contains(needs.*.result, 'cancelled') && ${output} != ''`,
      strategy: native(input) ? { 'fail-fast': false, matrix: { include: archMatrix(input) } } : undefined,
      projects: `\${{ ${output} }}`,
      parallel: String(input.parallel),
      suffix: `phase-${key}${archSuffix}`,
      services: `needs.plan.outputs.services_${key}`,
    };
  });
}

const platformEnv = (input: CiWorkflowInput) => (native(input) ? { LUCID_PLATFORMS: '${{ matrix.platform }}' } : {});
const runsOn = (input: CiWorkflowInput) => (native(input) ? '${{ matrix.runner }}' : input.runner);

export function buildJob(input: CiWorkflowInput, chain: Chain, flavour: Flavour): Job {
  // Only containers.yml has workflow_dispatch inputs.
  const force = flavour === 'push' ? " ${{ inputs.force-rebuild && '--skip-nx-cache' || '' }}" : '';
  const steps: Step[] = [
    checkout(),
    ...setupNode(input),
    ...(native(input)
      ? []
      : [{ name: 'QEMU for arm64 RUN steps', uses: ACTIONS.setupQemu, with: { platforms: 'arm64' } }]),
    { name: 'Set up Docker Buildx', uses: ACTIONS.setupBuildx },
    // buildx's type=gha cache needs ACTIONS_RUNTIME_TOKEN, which this exports to every later step of the job:
    // that is why no scan runs in this job.
    { name: 'Expose the Actions cache to BuildKit', uses: ACTIONS.githubRuntime },
    {
      name: `Build ${chain.label}`,
      env: {
        PROJECTS: chain.projects,
        PARALLEL: chain.parallel,
        LUCID_BUILD_CACHE: 'gha',
        ...platformEnv(input),
        ...remoteCacheEnv(input, flavour === 'pull-request' ? 'read' : 'read-write'),
      },
      run: bin(input, `nx run-many -t ${input.targets.build} --projects="$PROJECTS" --parallel="$PARALLEL"${force}`),
    },
    ...stash(input),
    saveHandoff(
      'Hand the build outputs to the scan and push jobs',
      handoffDir(input),
      handoffKey('build', chain.suffix),
    ),
  ];
  return {
    name: `build ${chain.label}`,
    needs: chain.needs,
    if: chain.if,
    'runs-on': runsOn(input),
    'timeout-minutes': 60,
    permissions: { contents: 'read' },
    strategy: chain.strategy,
    steps,
  };
}

export function scanJob(input: CiWorkflowInput, chain: Chain): Job {
  return {
    name: `scan ${chain.label}`,
    needs: [...chain.needs.filter((n) => n === 'plan'), `build${chain.id}`],
    'runs-on': input.runner,
    'timeout-minutes': 60,
    // Trivy runs here: a read-only token, no runtime token, no registry login, no write secret.
    permissions: { contents: 'read' },
    strategy: chain.strategy,
    steps: [
      checkout(),
      ...setupNode(input),
      restoreHandoff('Build outputs of this run', handoffDir(input), handoffKey('build', chain.suffix)),
      ...unstash(input),
      ...trivySteps(input),
      {
        name: `Scan and verify ${chain.label}`,
        env: {
          PROJECTS: chain.projects,
          PARALLEL: chain.parallel,
          ...platformEnv(input),
          ...remoteCacheEnv(input, 'read'),
        },
        // The build ran in the build job: its outputs are here, so the task dependencies are not run again.
        // The scan executor writes each service's summary to the job summary itself (once).
        run: bin(
          input,
          `nx run-many -t ${input.targets.scan} ${input.targets.verify} --projects="$PROJECTS" --parallel="$PARALLEL" --exclude-task-dependencies`,
        ),
      },
      ...stash(input).map((s) => ({ name: s.name, if: '!cancelled()', ...s })),
      saveHandoff(
        'Hand the scan reports on',
        `${handoffDir(input)}/*/scan`,
        handoffKey('scan', chain.suffix),
        '!cancelled()',
      ),
    ],
  };
}

/** `publish` replaces the container-push step (containers-release.yml runs `nx release publish` there). */
export function pushJob(input: CiWorkflowInput, chain: Chain, publish?: Step): Job {
  return {
    name: `push ${chain.label.replace(' on ${{ matrix.platform }}', '')}`,
    needs: [...chain.needs.filter((n) => n === 'plan'), `scan${chain.id}`],
    'runs-on': input.runner,
    'timeout-minutes': 60,
    permissions: { contents: 'read', packages: 'write' },
    strategy: native(input) ? phaseOnlyStrategy(chain) : chain.strategy,
    steps: [
      checkout(),
      ...setupNode(input),
      ...handoffRestores(input, chain),
      ...mergePlatforms(input, chain),
      publish ?? {
        name: `Push ${chain.label.replace(' on ${{ matrix.platform }}', '')} by digest`,
        env: {
          PROJECTS: chain.projects,
          PARALLEL: chain.parallel,
          ...registryCredentialEnv(input),
        },
        run: bin(
          input,
          `nx run-many -t ${input.targets.push} --projects="$PROJECTS" --parallel="$PARALLEL" --exclude-task-dependencies`,
        ),
      },
      saveAttestSubjects(input, chain),
    ],
  };
}

/**
 * SARIF, in a job that neither runs Trivy nor can push, and that runs when the gate failed too (that is when the
 * alerts matter). A pull request from a fork gets a read-only token: no upload.
 */
export function reportJob(input: CiWorkflowInput, chain: Chain, flavour: Flavour): Job {
  const sameRepo =
    flavour === 'pull-request' ? ' && github.event.pull_request.head.repo.full_name == github.repository' : '';
  return {
    // One job per scanned project (the plan's services matrix): the projects are known only at run time.
    name: 'report ${{ matrix.service }}',
    needs: [...chain.needs.filter((n) => n === 'plan'), `scan${chain.id}`],
    if: `!cancelled() && needs.scan${chain.id}.result != 'skipped'${sameRepo}`,
    'runs-on': input.runner,
    'timeout-minutes': 15,
    permissions: { contents: 'read', 'security-events': 'write' },
    strategy: { 'fail-fast': false, matrix: `\${{ fromJSON(${chain.services}) }}` },
    steps: [checkout(), ...handoffRestores(input, chain, { scanOnly: true }), ...reportUploads(input)],
  };
}

/** Native mode: per-phase jobs after the per-platform ones (the platform axis is merged away). */
function phaseOnlyStrategy(chain: Chain): Record<string, unknown> | undefined {
  if (chain.id) return undefined;
  return { 'fail-fast': false, matrix: '${{ fromJSON(needs.plan.outputs.phases) }}' };
}
