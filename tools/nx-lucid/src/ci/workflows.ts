/**
 * The GitHub Actions workflows for the container pipeline, built as plain objects from the phase layout and
 * serialised with `yaml`. Pure: the ci generator supplies the phases (from project tags) and the plugin options.
 *
 * Two workflows replace the seed's five hand-written ones:
 *  - containers.yml (push to the default branch, workflow_dispatch): per phase `nx affected -t container-push`
 *    (build → scan → push through the target graph), SARIF per service, summary in the job summary;
 *  - containers-pr.yml (pull_request): build, scan and verify the affected services; never pushes.
 */
import { stringify } from 'yaml';
import type { Phase } from './phases';

/** Actions pinned by major tag (setup-trivy publishes no major tag, so its newest release is pinned). */
export const ACTIONS = {
  checkout: 'actions/checkout@v4',
  setupNode: 'actions/setup-node@v4',
  cache: 'actions/cache@v4',
  nxSetShas: 'nrwl/nx-set-shas@v4',
  setupQemu: 'docker/setup-qemu-action@v3',
  setupBuildx: 'docker/setup-buildx-action@v3',
  login: 'docker/login-action@v3',
  githubRuntime: 'crazy-max/ghaction-github-runtime@v3',
  setupTrivy: 'aquasecurity/setup-trivy@v0.2.3',
  uploadSarif: 'github/codeql-action/upload-sarif@v3',
} as const;

export type Arm64Mode = 'qemu' | 'native';

export interface CiWorkflowInput {
  phases: Phase[];
  /** Upper bound of `nx --parallel` per phase job; each job uses min(this, its service count). */
  parallel: number;
  /** One job per phase, each `needs:` the previous one, instead of one matrix whose shards run at once. */
  sequentialPhases: boolean;
  arm64: Arm64Mode;
  runner: string;
  /** Native arm64 runner label (arm64: native). */
  arm64Runner: string;
  nodeVersion: string;
  trivyVersion: string;
  /**
   * How a phase job picks its services: `inputs` (default) asks `lucid affected`, which matches changed files
   * against each image's build inputs (a README or test change builds nothing); `nx` uses `nx affected`.
   */
  affected?: 'inputs' | 'nx';
  /** Plugin options that shape the workflow. */
  registry: string;
  platforms: string[];
  outputRoot: string;
  defaultBranch: string;
  targets: { build: string; scan: string; verify: string; push: string };
  /** `project:target` of the isolation check, when the workspace has one. */
  isolationTask: string | null;
  /** Tag prefix that carries the phase (plugin option phaseTagPrefix). */
  phaseTagPrefix: string;
  /** Recorded in the header so later runs (e.g. the service generator) regenerate with the same options. */
  generatorOptions?: Record<string, unknown>;
}

export interface GeneratedWorkflows {
  /** File name under .github/workflows → YAML text. */
  [file: string]: string;
}

export const CONTAINERS_WORKFLOW = 'containers.yml';
export const CONTAINERS_PR_WORKFLOW = 'containers-pr.yml';

type Step = Record<string, unknown>;
type Job = Record<string, unknown>;

/** Where the Trivy DB shared by every scan of a job lives (the scan executor reads $LUCID_TRIVY_DB_DIR). */
const TRIVY_DB_DIR = '.lucid/trivy-db';

const PLATFORM_RUNNER_KEY = { 'linux/amd64': 'runner', 'linux/arm64': 'arm64Runner' } as const;

export function generateWorkflows(input: CiWorkflowInput): GeneratedWorkflows {
  validateInput(input);
  return {
    [CONTAINERS_WORKFLOW]: render(containersWorkflow(input), CONTAINERS_WORKFLOW, input.generatorOptions),
    [CONTAINERS_PR_WORKFLOW]: render(pullRequestWorkflow(input), CONTAINERS_PR_WORKFLOW, input.generatorOptions),
  };
}

function validateInput(input: CiWorkflowInput): void {
  if (input.phases.length === 0) {
    throw new Error('no container service carries a phase tag, so there is no phase to build: tag services phase:<N> or pass --phases');
  }
  // These reach shell scripts and runner labels: plain tokens only.
  if (!/^[A-Za-z0-9:._-]+$/.test(input.phaseTagPrefix)) throw new Error(`phaseTagPrefix "${input.phaseTagPrefix}" must be letters, digits and : . _ - only`);
  for (const [key, label] of [['runner', input.runner], ['arm64Runner', input.arm64Runner]] as const) {
    if (!/^[A-Za-z0-9._-]+$/.test(label)) throw new Error(`--${key} "${label}" is not a runner label (letters, digits, . _ -)`);
  }
  if (!Number.isInteger(input.parallel) || input.parallel < 1) throw new Error(`--parallel must be a positive integer, got ${input.parallel}`);
  if (input.arm64 === 'native') {
    const unsupported = input.platforms.filter((p) => !(p in PLATFORM_RUNNER_KEY));
    if (unsupported.length) {
      throw new Error(`--arm64=native builds each platform on its own runner, and there is no runner for ${unsupported.join(', ')}; use --arm64=qemu`);
    }
  }
}

export const OPTIONS_HEADER = '# @lucid/nx-lucid:ci options: ';

/** The generator options recorded in a generated workflow's header, or null when there are none. */
export function readRecordedOptions(workflowText: string): Record<string, unknown> | null {
  const line = workflowText.split('\n').find((l) => l.startsWith(OPTIONS_HEADER));
  if (!line) return null;
  try {
    const value = JSON.parse(line.slice(OPTIONS_HEADER.length)) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function render(workflow: Record<string, unknown>, file: string, generatorOptions: Record<string, unknown> = {}): string {
  const header = [
    `# Generated by \`nx g @lucid/nx-lucid:ci\` from the workspace's phase tags; do not edit by hand.`,
    `# Re-run the generator after adding a service or changing a phase (${file}).`,
    `${OPTIONS_HEADER}${JSON.stringify(generatorOptions)}`,
  ].join('\n');
  // lineWidth 0: never fold long shell lines; the `on` key stays a plain string (YAML 1.2, no boolean coercion).
  return `${header}\n${stringify(workflow, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Shared steps

const checkout = (): Step => ({
  name: 'Check out with full history (nx affected compares commits)',
  uses: ACTIONS.checkout,
  with: { 'fetch-depth': 0 },
});

const setShas = (input: CiWorkflowInput): Step => ({
  name: 'Base and head for nx affected (last successful run on the default branch)',
  uses: ACTIONS.nxSetShas,
  with: { 'main-branch-name': input.defaultBranch },
});

const setupNode = (input: CiWorkflowInput): Step[] => [
  { name: 'Set up Node', uses: ACTIONS.setupNode, with: { 'node-version': input.nodeVersion, cache: 'npm' } },
  { name: 'Install dependencies', run: 'npm ci' },
];

function containerTooling(input: CiWorkflowInput, opts: { qemu: boolean; login: boolean }): Step[] {
  const steps: Step[] = [];
  if (opts.qemu) {
    steps.push({ name: 'QEMU for arm64 RUN steps', uses: ACTIONS.setupQemu, with: { platforms: 'arm64' } });
  }
  steps.push({ name: 'Set up Docker Buildx', uses: ACTIONS.setupBuildx });
  // buildx's type=gha cache needs ACTIONS_RUNTIME_TOKEN and the cache URL, which run steps do not see by default.
  steps.push({ name: 'Expose the Actions cache to BuildKit', uses: ACTIONS.githubRuntime });
  if (opts.login) steps.push(registryLogin(input));
  return steps;
}

function registryLogin(input: CiWorkflowInput): Step {
  const ghcr = input.registry === 'ghcr.io';
  return {
    name: `Log in to ${input.registry}`,
    uses: ACTIONS.login,
    with: ghcr
      ? { registry: input.registry, username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' }
      : { registry: input.registry, username: '${{ secrets.LUCID_REGISTRY_USERNAME }}', password: '${{ secrets.LUCID_REGISTRY_PASSWORD }}' },
  };
}

/** The Trivy binary, and one DB per UTC day restored from the Actions cache (downloaded only on a miss). */
function trivySteps(input: CiWorkflowInput): Step[] {
  return [
    {
      name: 'Trivy DB cache key (UTC day)',
      id: 'trivy-day',
      run: 'echo "day=$(date -u +%Y-%m-%d)" >> "$GITHUB_OUTPUT"',
    },
    {
      name: 'Restore the Trivy DB of the day',
      id: 'trivy-db',
      uses: ACTIONS.cache,
      with: {
        path: TRIVY_DB_DIR,
        key: 'trivy-db-${{ steps.trivy-day.outputs.day }}',
        'restore-keys': 'trivy-db-',
      },
    },
    { name: 'Install Trivy', uses: ACTIONS.setupTrivy, with: { version: input.trivyVersion, cache: true } },
    {
      name: "Download today's Trivy DB (cache miss only)",
      if: "steps.trivy-db.outputs.cache-hit != 'true'",
      run: `trivy image --download-db-only --no-progress --cache-dir ${TRIVY_DB_DIR}`,
    },
  ];
}

/**
 * One upload per service, each with its own category: a phase job only scans its affected services, and a
 * Code Scanning analysis replaces the previous one of the same category, so a shared (per-phase) category would
 * close the alerts of every service this run did not scan. A single upload of the folder is no longer possible
 * either: GitHub rejects several runs of one tool under one category in an upload.
 */
function sarifUploads(input: CiWorkflowInput, phases: Phase[], opts: { matrix: boolean; sameRepoOnly: boolean }): Step[] {
  const steps: Step[] = [];
  for (const phase of phases) {
    for (const service of phase.services) {
      const report = `${input.outputRoot}/${service}/scan/report.sarif`;
      const conditions = ['!cancelled()'];
      if (opts.matrix) conditions.push(`matrix.phase == ${phase.phase}`);
      if (opts.sameRepoOnly) conditions.push('github.event.pull_request.head.repo.full_name == github.repository');
      conditions.push(`hashFiles('${report}') != ''`);
      steps.push({
        name: `SARIF: ${service}`,
        if: conditions.join(' && '),
        uses: ACTIONS.uploadSarif,
        with: { sarif_file: report, category: `container-${service}` },
      });
    }
  }
  return steps;
}

const phaseParallel = (input: CiWorkflowInput, phase: Phase) => Math.max(1, Math.min(input.parallel, phase.services.length));

/** The affected services of the phase, or `nx run-many` when a dispatch asks for a forced rebuild. */
function nxPhaseScript(input: CiWorkflowInput, targets: string[], opts: { forceInput: boolean }): string {
  const t = targets.join(' ');
  const tag = `tag:${input.phaseTagPrefix}$PHASE`;
  // nx affected has no --projects: exclude everything but the phase's tag. NX_BASE/NX_HEAD come from nx-set-shas.
  const affected =
    input.affected === 'nx'
      ? `npx nx affected -t ${t} --exclude="*,!${tag}" --parallel="$PARALLEL"`
      : `npm run -s lucid -- affected --base="$NX_BASE" --head="$NX_HEAD" --projects="${tag}" -t ${t} --parallel="$PARALLEL"`;
  if (!opts.forceInput) return affected;
  return [
    'if [ "$FORCE_REBUILD" = "true" ]; then',
    `  npx nx run-many -t ${t} --projects="${tag}" --parallel="$PARALLEL" --skip-nx-cache`,
    'else',
    `  ${affected}`,
    'fi',
  ].join('\n');
}

function summaryStep(what: string): Step {
  return {
    name: 'Job summary header',
    run: `echo "### ${what}: phase $PHASE ($LUCID_PLATFORMS)" >> "$GITHUB_STEP_SUMMARY"`,
  };
}

function isolationJob(input: CiWorkflowInput): Job | null {
  if (!input.isolationTask) return null;
  return {
    name: 'TRON isolation',
    'runs-on': input.runner,
    'timeout-minutes': 15,
    steps: [checkout(), ...setupNode(input), { name: 'Isolation rules over the project graph', run: `npx nx run ${input.isolationTask}` }],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// containers.yml

function containersWorkflow(input: CiWorkflowInput): Record<string, unknown> {
  const defaultPlatforms = input.platforms.join(',');
  const jobs: Record<string, Job> = {};
  const isolation = isolationJob(input);
  if (isolation) jobs.isolation = isolation;
  const gate = isolation ? ['isolation'] : [];

  const pushPermissions = { contents: 'read', actions: 'read', packages: 'write', 'security-events': 'write' };
  const pushTargets = [input.targets.push];
  const pushEnv = (phase: string, parallel: string) => ({
    PHASE: phase,
    PARALLEL: parallel,
    FORCE_REBUILD: "${{ inputs.force-rebuild && 'true' || 'false' }}",
    // The push executor authenticates to the registry itself; the token never appears in a command line.
    GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}',
  });
  const pushSteps = (phases: Phase[], matrix: boolean, phaseExpr: string, parallelExpr: string): Step[] => [
    checkout(),
    setShas(input),
    ...setupNode(input),
    ...containerTooling(input, { qemu: input.arm64 === 'qemu', login: true }),
    ...trivySteps(input),
    { ...summaryStep('Build → scan → push'), env: { PHASE: phaseExpr } },
    {
      name: `Build, scan and push phase ${phaseExpr}`,
      env: pushEnv(phaseExpr, parallelExpr),
      run: nxPhaseScript(input, pushTargets, { forceInput: true }),
    },
    ...sarifUploads(input, phases, { matrix, sameRepoOnly: false }),
  ];

  // arm64: native — each platform is built, scanned and verified on its own runner first; the BuildKit cache
  // (scoped per service and platform) they fill lets the push job assemble the multi-platform index without
  // emulating a single RUN step.
  const nativeBuildJob = (phases: Phase[], matrixPhase: boolean, phaseExpr: string, parallelExpr: string, needs: string[]): Job => ({
    name: `phase ${phaseExpr} on \${{ matrix.arch.platform }}`,
    needs: needs.length ? needs : undefined,
    'runs-on': '${{ matrix.arch.runner }}',
    'timeout-minutes': 60,
    permissions: { contents: 'read', actions: 'read' },
    strategy: {
      'fail-fast': false,
      matrix: {
        ...(matrixPhase ? { phase: phases.map((p) => p.phase) } : {}),
        arch: nativeArchMatrix(input),
      },
    },
    env: { LUCID_PLATFORMS: '${{ matrix.arch.platform }}' },
    steps: [
      checkout(),
      setShas(input),
      ...setupNode(input),
      ...containerTooling(input, { qemu: false, login: false }),
      ...trivySteps(input),
      {
        name: `Build, scan and verify phase ${phaseExpr} natively`,
        env: { PHASE: phaseExpr, PARALLEL: parallelExpr, FORCE_REBUILD: "${{ inputs.force-rebuild && 'true' || 'false' }}" },
        run: nxPhaseScript(input, [input.targets.build, input.targets.scan, input.targets.verify], { forceInput: true }),
      },
    ],
  });

  if (!input.sequentialPhases) {
    const matrix = { 'fail-fast': false, matrix: { include: input.phases.map((p) => ({ phase: p.phase, parallel: phaseParallel(input, p) })) } };
    const needs = [...gate];
    if (input.arm64 === 'native') {
      jobs['native-build'] = nativeBuildJob(input.phases, true, '${{ matrix.phase }}', String(input.parallel), gate);
      needs.push('native-build');
    }
    jobs.phase = {
      name: 'phase ${{ matrix.phase }}',
      needs: needs.length ? needs : undefined,
      'runs-on': input.runner,
      'timeout-minutes': 90,
      permissions: pushPermissions,
      strategy: matrix,
      steps: pushSteps(input.phases, true, '${{ matrix.phase }}', '${{ matrix.parallel }}'),
    };
  } else {
    let previous: string | null = null;
    for (const phase of input.phases) {
      const needs = [...gate, ...(previous ? [previous] : [])];
      const id = `phase-${phase.phase}`;
      const parallel = String(phaseParallel(input, phase));
      if (input.arm64 === 'native') {
        jobs[`native-build-${phase.phase}`] = nativeBuildJob([phase], false, String(phase.phase), parallel, needs);
        needs.push(`native-build-${phase.phase}`);
      }
      jobs[id] = {
        name: `phase ${phase.phase}`,
        needs: needs.length ? needs : undefined,
        'runs-on': input.runner,
        'timeout-minutes': 90,
        permissions: pushPermissions,
        steps: pushSteps([phase], false, String(phase.phase), parallel),
      };
      previous = id;
    }
  }

  return dropUndefined({
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
            description: 'Build every service of each phase (nx run-many, no Nx cache) instead of the affected ones',
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
    env: sharedEnv(input, `\${{ inputs.platforms || '${defaultPlatforms}' }}`),
    jobs,
  });
}

function nativeArchMatrix(input: CiWorkflowInput) {
  return input.platforms.map((platform) => ({
    platform,
    runner: input[PLATFORM_RUNNER_KEY[platform as keyof typeof PLATFORM_RUNNER_KEY]],
  }));
}

function sharedEnv(input: CiWorkflowInput, platforms: string): Record<string, string> {
  return {
    NX_NO_CLOUD: 'true',
    NX_DAEMON: 'false',
    // The build executor reads these (plugin option overrides): BuildKit, cached per service scope in the Actions cache.
    LUCID_ENGINE: 'buildx',
    LUCID_BUILD_CACHE: 'gha',
    LUCID_PLATFORMS: platforms,
    LUCID_TRIVY_DB_DIR: TRIVY_DB_DIR,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// containers-pr.yml

function pullRequestWorkflow(input: CiWorkflowInput): Record<string, unknown> {
  const jobs: Record<string, Job> = {};
  const isolation = isolationJob(input);
  if (isolation) jobs.isolation = isolation;
  const targets = [input.targets.build, input.targets.scan, input.targets.verify];
  const native = input.arm64 === 'native';
  const include = native
    ? input.phases.flatMap((p) => nativeArchMatrix(input).map((arch) => ({ phase: p.phase, parallel: phaseParallel(input, p), ...arch })))
    : input.phases.map((p) => ({ phase: p.phase, parallel: phaseParallel(input, p) }));
  jobs.phase = dropUndefined({
    name: native ? 'phase ${{ matrix.phase }} on ${{ matrix.platform }}' : 'phase ${{ matrix.phase }}',
    needs: isolation ? ['isolation'] : undefined,
    'runs-on': native ? '${{ matrix.runner }}' : input.runner,
    'timeout-minutes': 90,
    // Never packages: write; SARIF needs security-events: write.
    permissions: { contents: 'read', actions: 'read', 'security-events': 'write' },
    strategy: { 'fail-fast': false, matrix: { include } },
    env: native ? { LUCID_PLATFORMS: '${{ matrix.platform }}' } : undefined,
    steps: [
      checkout(),
      setShas(input),
      ...setupNode(input),
      ...containerTooling(input, { qemu: !native, login: false }),
      ...trivySteps(input),
      { ...summaryStep('Build → scan → verify'), env: { PHASE: '${{ matrix.phase }}' } },
      {
        name: 'Build, scan and verify phase ${{ matrix.phase }} (no push)',
        env: { PHASE: '${{ matrix.phase }}', PARALLEL: '${{ matrix.parallel }}' },
        run: nxPhaseScript(input, targets, { forceInput: false }),
      },
      // A pull request from a fork gets a read-only token: its SARIF cannot be uploaded.
      ...sarifUploads(input, input.phases, { matrix: true, sameRepoOnly: true }),
    ],
  });
  return dropUndefined({
    name: 'containers (pull request)',
    on: { pull_request: { branches: [input.defaultBranch] } },
    concurrency: { group: '${{ github.workflow }}-${{ github.event.pull_request.number }}', 'cancel-in-progress': true },
    permissions: { contents: 'read' },
    env: sharedEnv(input, input.platforms.join(',')),
    jobs,
  });
}

/** Removes keys whose value is undefined, recursively, so optional parts never reach the YAML. */
function dropUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(dropUndefined) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, dropUndefined(v)]),
    ) as T;
  }
  return value;
}
