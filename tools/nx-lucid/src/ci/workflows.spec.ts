import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import { phasesFromProjects, selectPhases } from './phases';
import { ACTIONS, CiWorkflowInput, CONTAINERS_PR_WORKFLOW, CONTAINERS_WORKFLOW, generateWorkflows, readRecordedOptions } from './workflows';

type Step = { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = { permissions?: Record<string, string>; needs?: string[]; steps: Step[]; strategy?: { matrix: Record<string, unknown> }; 'runs-on': string };

const input = (over: Partial<CiWorkflowInput> = {}): CiWorkflowInput => ({
  phases: [
    { phase: 1, services: ['auth-service', 'redis'] },
    { phase: 2, services: ['api-gateway'] },
    { phase: 4, services: ['tron-client', 'tron-staking', 'tron-usdt-manager', 'tron-wallet-manager'] },
  ],
  parallel: 3,
  sequentialPhases: false,
  arm64: 'qemu',
  runner: 'ubuntu-24.04',
  arm64Runner: 'ubuntu-24.04-arm',
  nodeVersion: '20',
  trivyVersion: 'v0.65.0',
  registry: 'ghcr.io',
  platforms: ['linux/amd64', 'linux/arm64'],
  outputRoot: 'dist/containers',
  defaultBranch: 'main',
  targets: { build: 'container-build', scan: 'scan', verify: 'container-verify', push: 'container-push' },
  isolationTask: 'lucid:isolation',
  phaseTagPrefix: 'phase:',
  ...over,
});

const jobsOf = (yamlText: string) => (parse(yamlText) as { jobs: Record<string, Job> }).jobs;
const allSteps = (job: Job) => job.steps;
const uploadsSarif = (job: Job) => job.steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'));

const VARIANTS: Array<Partial<CiWorkflowInput>> = [
  {},
  { sequentialPhases: true },
  { arm64: 'native' },
  { arm64: 'native', sequentialPhases: true },
  { isolationTask: null, registry: 'registry.example.com' },
];

describe('generated workflows', () => {
  it.each(VARIANTS.map((v) => [JSON.stringify(v), v]))('pass the action-validator workflow schema: %s', (_label, variant) => {
    const files = generateWorkflows(input(variant));
    expect(Object.keys(files).sort()).toEqual([CONTAINERS_PR_WORKFLOW, CONTAINERS_WORKFLOW].sort());
    for (const text of Object.values(files)) expect(validateWorkflow(text).errors).toEqual([]);
  });

  it('the validator is a real one: it rejects a mangled copy of our own workflow', () => {
    const text = generateWorkflows(input({ sequentialPhases: true }))[CONTAINERS_WORKFLOW];
    expect(validateWorkflow(text.replace('needs:\n      - isolation\n      - phase-1', 'needs:\n      - isolation\n      - phase-9')).errors).not.toEqual([]);
    expect(validateWorkflow(text.replace(/runs-on: ubuntu-24.04\n/g, 'runs-onn: ubuntu-24.04\n')).errors).not.toEqual([]);
  });

  it('push workflow: one matrix shard per phase, each running the Dockerfile-aware affected -t container-push on its phase tag', () => {
    const jobs = jobsOf(generateWorkflows(input())[CONTAINERS_WORKFLOW]);
    expect(jobs.phase.strategy!.matrix.include).toEqual([
      { phase: 1, parallel: 2 },
      { phase: 2, parallel: 1 },
      { phase: 4, parallel: 3 },
    ]);
    const run = jobs.phase.steps.find((s) => s.run?.includes(' affected '))!;
    expect(run.run).toContain(
      'npm run -s lucid -- affected --base="$NX_BASE" --head="$NX_HEAD" --projects="tag:phase:$PHASE" -t container-push --parallel="$PARALLEL"',
    );
    expect(run.run).toContain('npx nx run-many -t container-push --projects="tag:phase:$PHASE"');
    expect(run.env).toMatchObject({ PHASE: '${{ matrix.phase }}', PARALLEL: '${{ matrix.parallel }}' });
    expect(jobs.phase.needs).toEqual(['isolation']);
    expect(jobs.isolation.steps.at(-1)!.run).toBe('npx nx run lucid:isolation');
  });

  it('sequential phases: one job per phase, each needing the previous', () => {
    const jobs = jobsOf(generateWorkflows(input({ sequentialPhases: true }))[CONTAINERS_WORKFLOW]);
    expect(Object.keys(jobs)).toEqual(['isolation', 'phase-1', 'phase-2', 'phase-4']);
    expect(jobs['phase-1'].needs).toEqual(['isolation']);
    expect(jobs['phase-2'].needs).toEqual(['isolation', 'phase-1']);
    expect(jobs['phase-4'].needs).toEqual(['isolation', 'phase-2']);
    expect(jobs['phase-4'].steps.find((s) => s.run?.includes(' affected '))!.env!.PHASE).toBe('4');
    // Each phase job uploads only its own services' SARIF.
    expect(jobs['phase-2'].steps.filter((s) => s.uses === ACTIONS.uploadSarif).map((s) => s.with!.category)).toEqual(['container-api-gateway']);
  });

  it('least privilege: packages: write only on pushing jobs, security-events: write only where SARIF is uploaded', () => {
    for (const variant of VARIANTS) {
      const files = generateWorkflows(input(variant));
      for (const [file, text] of Object.entries(files)) {
        const wf = parse(text) as { permissions: Record<string, string>; jobs: Record<string, Job> };
        expect(wf.permissions).toEqual({ contents: 'read' });
        for (const job of Object.values(wf.jobs)) {
          const pushes = job.steps.some((s) => s.run?.includes('-t container-push'));
          expect(job.permissions?.packages === 'write').toBe(pushes);
          expect(job.permissions?.['security-events'] === 'write').toBe(uploadsSarif(job));
          if (file === CONTAINERS_PR_WORKFLOW) expect(pushes).toBe(false);
        }
      }
    }
  });

  it('pull-request workflow builds, scans and verifies but never pushes or logs in', () => {
    const text = generateWorkflows(input())[CONTAINERS_PR_WORKFLOW];
    const wf = parse(text) as { on: Record<string, unknown>; jobs: Record<string, Job> };
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    expect(text).not.toContain('container-push');
    expect(text).not.toContain(ACTIONS.login);
    expect(wf.jobs.phase.steps.find((s) => s.run?.includes(' affected '))!.run).toBe(
      'npm run -s lucid -- affected --base="$NX_BASE" --head="$NX_HEAD" --projects="tag:phase:$PHASE" -t container-build scan container-verify --parallel="$PARALLEL"',
    );
  });

  it('affected: nx selects the phase with nx affected instead', () => {
    const jobs = jobsOf(generateWorkflows(input({ affected: 'nx' }))[CONTAINERS_WORKFLOW]);
    const run = jobs.phase.steps.find((s) => s.run?.includes(' affected '))!;
    expect(run.run).toContain('npx nx affected -t container-push --exclude="*,!tag:phase:$PHASE" --parallel="$PARALLEL"');
    expect(run.run).not.toContain('lucid');
  });

  it('checkout with full history, nx-set-shas, Buildx, QEMU or native arm64 runners, ghcr login, per-day Trivy DB, per-service SARIF', () => {
    const qemu = jobsOf(generateWorkflows(input())[CONTAINERS_WORKFLOW]).phase;
    const uses = allSteps(qemu).map((s) => s.uses).filter(Boolean);
    expect(allSteps(qemu)[0]).toMatchObject({ uses: ACTIONS.checkout, with: { 'fetch-depth': 0 } });
    expect(uses).toEqual(expect.arrayContaining([ACTIONS.nxSetShas, ACTIONS.setupBuildx, ACTIONS.setupQemu, ACTIONS.login, ACTIONS.setupTrivy, ACTIONS.cache]));
    expect(allSteps(qemu).find((s) => s.uses === ACTIONS.login)!.with).toEqual({ registry: 'ghcr.io', username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' });
    const cache = allSteps(qemu).find((s) => s.uses === ACTIONS.cache)!;
    expect(cache.with!.key).toBe('trivy-db-${{ steps.trivy-day.outputs.day }}');
    expect(allSteps(qemu).find((s) => s.name?.startsWith('Trivy DB cache key'))!.run).toContain('date -u +%Y-%m-%d');
    const sarif = allSteps(qemu).filter((s) => s.uses === ACTIONS.uploadSarif);
    expect(sarif.map((s) => s.with!.category)).toEqual(input().phases.flatMap((p) => p.services.map((s) => `container-${s}`)));
    expect(sarif[0].if).toContain("hashFiles('dist/containers/auth-service/scan/report.sarif')");
    for (const step of [...allSteps(qemu)]) if (step.uses) expect(step.uses).toMatch(/@v[0-9]+(\.[0-9]+\.[0-9]+)?$/);

    const native = jobsOf(generateWorkflows(input({ arm64: 'native' }))[CONTAINERS_WORKFLOW]);
    expect(native.phase.steps.some((s) => s.uses === ACTIONS.setupQemu)).toBe(false);
    expect(native['native-build'].strategy!.matrix.arch).toEqual([
      { platform: 'linux/amd64', runner: 'ubuntu-24.04' },
      { platform: 'linux/arm64', runner: 'ubuntu-24.04-arm' },
    ]);
    expect(native.phase.needs).toEqual(['isolation', 'native-build']);
    expect(() => generateWorkflows(input({ arm64: 'native', platforms: ['linux/amd64', 'linux/s390x'] }))).toThrow(/no runner for linux\/s390x/);
  });

  it('workflow_dispatch inputs: platforms (→ LUCID_PLATFORMS) and force-rebuild; buildx engine and gha cache via env', () => {
    const wf = parse(generateWorkflows(input())[CONTAINERS_WORKFLOW]) as { on: any; env: Record<string, string> };
    expect(wf.on.push).toEqual({ branches: ['main'] });
    expect(wf.on.workflow_dispatch.inputs.platforms.default).toBe('linux/amd64,linux/arm64');
    expect(wf.on.workflow_dispatch.inputs['force-rebuild']).toMatchObject({ type: 'boolean', default: false });
    expect(wf.env).toMatchObject({ LUCID_ENGINE: 'buildx', LUCID_BUILD_CACHE: 'gha', LUCID_PLATFORMS: "${{ inputs.platforms || 'linux/amd64,linux/arm64' }}" });
  });

  it('refuses inputs that would make a broken or unsafe workflow', () => {
    expect(() => generateWorkflows(input({ phases: [] }))).toThrow(/no container service carries a phase tag/);
    expect(() => generateWorkflows(input({ runner: 'ubuntu; rm -rf /' }))).toThrow(/not a runner label/);
    expect(() => generateWorkflows(input({ phaseTagPrefix: 'phase:$(id)' }))).toThrow(/phaseTagPrefix/);
  });

  it('records the generator options in the header', () => {
    const text = generateWorkflows(input({ generatorOptions: { parallel: 5, sequentialPhases: true } }))[CONTAINERS_WORKFLOW];
    expect(readRecordedOptions(text)).toEqual({ parallel: 5, sequentialPhases: true });
    expect(readRecordedOptions('name: x\n')).toBeNull();
  });
});

describe('phases from project tags', () => {
  const p = (name: string, tags: string[], hasDockerfile = true) => ({ name, tags, hasDockerfile });

  it('groups Dockerfile projects by phase tag, ignores libraries, reports untagged services', () => {
    const layout = phasesFromProjects([p('b', ['phase:2']), p('a', ['phase:2', 'scope:x']), p('c', ['phase:10']), p('lib', ['phase:1'], false), p('loose', [])]);
    expect(layout).toEqual({ phases: [{ phase: 2, services: ['a', 'b'] }, { phase: 10, services: ['c'] }], untagged: ['loose'] });
  });

  it('rejects malformed and duplicate phase tags with the project named', () => {
    expect(() => phasesFromProjects([p('x', ['phase:one'])])).toThrow(/x: phase tag "phase:one" is not phase:<positive integer>/);
    expect(() => phasesFromProjects([p('y', ['phase:1', 'phase:2'])])).toThrow(/y has more than one phase tag/);
  });

  it('--phases selects known phases and refuses unknown ones', () => {
    const layout = phasesFromProjects([p('a', ['phase:1']), p('b', ['phase:3'])]);
    expect(selectPhases(layout, [3]).map((x) => x.phase)).toEqual([3]);
    expect(() => selectPhases(layout, [2])).toThrow(/--phases 2: no container service is tagged with this phase \(phases in the workspace: 1, 3\)/);
  });
});
