import { validateWorkflow } from '@action-validator/core';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { AffectedProject } from '../graph/affected/affected';
import { phasesFromProjects, selectPhases } from './phases';
import { ACTIONS } from './pins';
import { policyViolations } from './policy';
import {
  CiWorkflowInput,
  CONTAINERS_PR_WORKFLOW,
  CONTAINERS_WORKFLOW,
  generateWorkflows,
  readRecordedOptions,
  WORKFLOW_FILES,
} from './workflows';
import { ciInput, schemaErrors, VARIANTS, type WorkflowJob as Job, type WorkflowStep as Step } from './test-support';

type Workflow = {
  on: any;
  env: Record<string, string>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};

const wf = (over: Partial<CiWorkflowInput>, file: string) => parse(generateWorkflows(ciInput(over))[file]) as Workflow;
const step = (job: Job, pred: (s: Step) => boolean) => job.steps.find(pred)!;

describe('generated workflows', () => {
  it.each(VARIANTS.map((v) => [JSON.stringify(v), v]))(
    'pass the action-validator schema and the workflow rules: %s',
    (_l, variant) => {
      const files = generateWorkflows(ciInput(variant));
      expect(Object.keys(files).sort()).toEqual([...WORKFLOW_FILES].sort());
      for (const text of Object.values(files)) {
        expect(schemaErrors(text)).toEqual([]);
        expect(policyViolations(parse(text))).toEqual([]);
      }
    },
  );

  it('the validator is a real one: it rejects a mangled copy of our own workflow', () => {
    const text = generateWorkflows(ciInput({ sequentialPhases: true }))[CONTAINERS_WORKFLOW];
    expect(validateWorkflow(text.replace('      - push-1\n', '      - push-9\n')).errors).not.toEqual([]);
    expect(validateWorkflow(text.replace(/runs-on: ubuntu-24.04\n/g, 'runs-onn: ubuntu-24.04\n')).errors).not.toEqual(
      [],
    );
  });

  it('every uses: carries its release as a comment', () => {
    const text = generateWorkflows(ciInput())[CONTAINERS_WORKFLOW];
    const lines = text.split('\n').filter((l) => /^\s*(- )?uses: /.test(l));
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(l).toMatch(/@[0-9a-f]{40} # v[0-9]+\.[0-9]+\.[0-9]+$/);
    expect(text).toContain('uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1');
  });

  it('push workflow: plan → build → scan → report + push, each phase job on the dynamic matrix of affected phases', () => {
    const { jobs } = wf({}, CONTAINERS_WORKFLOW);
    expect(Object.keys(jobs)).toEqual(['plan', 'isolation', 'build', 'scan', 'report', 'push', 'attest']);
    for (const id of ['build', 'scan', 'push'])
      expect(jobs[id].strategy!.matrix).toBe('${{ fromJSON(needs.plan.outputs.matrix) }}');
    // Report: one job per scanned project, known only at run time.
    expect(jobs.report.strategy!.matrix).toBe('${{ fromJSON(needs.plan.outputs.services) }}');
    expect(jobs.build.if).toBe("needs.plan.outputs.any == 'true'");
    expect(jobs.build.needs).toEqual(['plan', 'isolation']);
    expect(jobs.scan.needs).toEqual(['plan', 'build']);
    expect(jobs.push.needs).toEqual(['plan', 'scan']);
    expect(step(jobs.plan, (s) => s.run?.includes('affected') ?? false).run).toBe(
      'npx --no-install lucid affected --base="$NX_BASE" --head="$NX_HEAD" --json > "$AFFECTED_FILE"',
    );
    expect(step(jobs.plan, (s) => s.run?.includes('nx graph') ?? false).run).toBe(
      'npx --no-install nx graph --file="$GRAPH_FILE"',
    );
    expect(step(jobs.build, (s) => s.run?.includes('run-many') ?? false).run).toContain(
      'npx --no-install nx run-many -t container-build --projects="$PROJECTS" --parallel="$PARALLEL"',
    );
    expect(step(jobs.scan, (s) => s.run?.includes('run-many') ?? false).run).toBe(
      'npx --no-install nx run-many -t scan container-verify --projects="$PROJECTS" --parallel="$PARALLEL" --exclude-task-dependencies',
    );
    expect(step(jobs.push, (s) => s.run?.includes('run-many') ?? false).run).toBe(
      'npx --no-install nx run-many -t container-push --projects="$PROJECTS" --parallel="$PARALLEL" --exclude-task-dependencies',
    );
    // The outputs travel through the Actions cache under one key per run attempt and phase.
    const saved = step(jobs.build, (s) => s.uses === ACTIONS.cacheSave).with!;
    expect(saved).toEqual({
      path: 'dist/containers',
      key: 'lucid-build-${{ github.run_id }}-${{ github.run_attempt }}-phase-${{ matrix.phase }}',
    });
    expect(step(jobs.push, (s) => s.uses === ACTIONS.cacheRestore).with).toEqual({
      ...saved,
      'fail-on-cache-miss': true,
    });
    // SARIF even when the gate failed, from a job that cannot push.
    expect(jobs.report.if).toBe("!cancelled() && needs.scan.result != 'skipped'");
    expect(jobs.report.steps.filter((s) => s.uses === ACTIONS.uploadSarif)).toEqual([
      {
        name: 'SARIF',
        if: "!cancelled() && hashFiles(format('dist/containers/{0}/scan/report.sarif', matrix.service)) != ''",
        uses: ACTIONS.uploadSarif,
        with: {
          sarif_file: 'dist/containers/${{ matrix.service }}/scan/report.sarif',
          category: 'container-${{ matrix.service }}',
        },
      },
    ]);
  });

  it('least privilege: Trivy only in read-only scan jobs; packages: write only on push; GHA runtime token only in build', () => {
    const { jobs } = wf({}, CONTAINERS_WORKFLOW);
    expect(jobs.scan.permissions).toEqual({ contents: 'read' });
    expect(jobs.build.permissions).toEqual({ contents: 'read' });
    expect(jobs.push.permissions).toEqual({ contents: 'read', packages: 'write' });
    expect(jobs.report.permissions).toEqual({ contents: 'read', 'security-events': 'write' });
    expect(jobs.scan.steps.some((s) => s.uses === ACTIONS.githubRuntime)).toBe(false);
    expect(jobs.build.steps.some((s) => s.uses === ACTIONS.githubRuntime)).toBe(true);
    expect(jobs.build.steps.some((s) => s.uses === ACTIONS.setupTrivy || /trivy|-t scan/.test(s.run ?? ''))).toBe(
      false,
    );
    expect(jobs.push.steps.some((s) => s.uses === ACTIONS.setupTrivy || /trivy|-t scan/.test(s.run ?? ''))).toBe(false);
    // The token goes to the push step only, as GHCR_TOKEN (sent to ghcr.io only by the push executor).
    const withToken = Object.entries(jobs).flatMap(([id, j]) =>
      j.steps.filter((s) => JSON.stringify(s.env ?? {}).includes('GITHUB_TOKEN')).map((s) => `${id}: ${s.name}`),
    );
    expect(withToken).toEqual(['push: Push ${{ matrix.label }} by digest']);
    for (const j of Object.values(jobs))
      for (const s of j.steps.filter((x) => x.uses === ACTIONS.checkout))
        expect(s.with!['persist-credentials']).toBe(false);
  });

  it('Trivy: setup-trivy v0.3.1 at an explicit version, DB cached per UTC day; compromised or floating versions refused', () => {
    const scan = wf({}, CONTAINERS_WORKFLOW).jobs.scan;
    expect(step(scan, (s) => s.uses === ACTIONS.setupTrivy).with).toEqual({ version: 'v0.74.0', cache: true });
    expect(ACTIONS.setupTrivy).toBe('aquasecurity/setup-trivy@81e514348e19b6112ce2a7e3ecbafe19c1e1f567');
    expect(step(scan, (s) => s.uses === ACTIONS.cache).with).toEqual({
      path: '.lucid/trivy-db',
      key: 'trivy-db-${{ steps.trivy-day.outputs.day }}',
    });
    expect(step(scan, (s) => s.id === 'trivy-day').run).toContain('date -u +%Y-%m-%d');
    for (const v of ['v0.69.4', 'v0.69.5', 'v0.69.6'])
      expect(() => generateWorkflows(ciInput({ trivyVersion: v }))).toThrow(/compromised/);
    expect(() => generateWorkflows(ciInput({ trivyVersion: 'v0.36.3' }))).toThrow(/older than .* 0\.37\.0/);
    expect(() => generateWorkflows(ciInput({ trivyVersion: 'latest' }))).toThrow(/explicit release/);
  });

  it.each([
    [{}, '', 'phase-${{ matrix.phase }}'],
    [{ sequentialPhases: true }, '-2', 'phase-2'],
    [{ arm64: 'native' as const }, '', 'phase-${{ matrix.phase }}'],
  ])(
    "attest job (%j): one per pushed service, signs provenance and SBOM of push.json's image@digest",
    (over, id, suffix) => {
      const { jobs } = wf(over, CONTAINERS_WORKFLOW);
      const attest = jobs[`attest${id}`];
      expect(attest.needs).toEqual(['plan', `push${id}`]);
      expect(attest.permissions).toEqual({
        contents: 'read',
        'id-token': 'write',
        attestations: 'write',
        packages: 'write',
      });
      expect(attest.strategy!.matrix).toBe(
        `\${{ fromJSON(needs.plan.outputs.services${id ? `_${id.slice(1)}` : ''}) }}`,
      );
      // The push job hands push.json and the SBOM on under the key the attest job restores.
      const key = `lucid-push-\${{ github.run_id }}-\${{ github.run_attempt }}-${suffix}`;
      const paths = 'dist/containers/*/push.json\ndist/containers/*/scan/sbom.cdx.json';
      expect(jobs[`push${id}`].steps.at(-1)).toMatchObject({ uses: ACTIONS.cacheSave, with: { path: paths, key } });
      expect(step(attest, (s) => s.uses === ACTIONS.cacheRestore).with).toEqual({ path: paths, key });
      const subject = {
        'subject-name': '${{ steps.subject.outputs.image }}',
        'subject-digest': '${{ steps.subject.outputs.digest }}',
        'push-to-registry': true,
      };
      expect(step(attest, (s) => s.uses === ACTIONS.attestProvenance).with).toEqual(subject);
      expect(step(attest, (s) => s.uses === ACTIONS.attestSbom).with).toEqual({
        ...subject,
        'sbom-path': 'dist/containers/${{ matrix.service }}/scan/sbom.cdx.json',
      });
      expect(step(attest, (s) => s.uses === ACTIONS.login).with).toEqual({
        registry: 'ghcr.io',
        username: '${{ github.actor }}',
        password: '${{ secrets.GITHUB_TOKEN }}',
      });
    },
  );

  it('attest subject step: reads push.json, refuses a tagged or upper-case name and a bad digest, skips what was not pushed', () => {
    const { jobs } = wf({}, CONTAINERS_WORKFLOW);
    const subject = step(jobs.attest, (s) => s.id === 'subject');
    const dir = mkdtempSync(join(tmpdir(), 'attest-subject-'));
    let registries = 1;
    const run = (record: unknown, sbom = true) => {
      rmSync(join(dir, 'svc'), { recursive: true, force: true });
      mkdirSync(join(dir, 'svc', 'scan'), { recursive: true });
      if (record) writeFileSync(join(dir, 'svc', 'push.json'), JSON.stringify(record));
      if (sbom) writeFileSync(join(dir, 'svc', 'scan', 'sbom.cdx.json'), '{}');
      const output = join(dir, 'output');
      writeFileSync(output, '');
      const r = spawnSync(process.execPath, ['-e', subject.run!], {
        env: {
          SERVICE: 'svc',
          PUSH_RECORD: join(dir, 'svc/push.json'),
          SBOM: join(dir, 'svc/scan/sbom.cdx.json'),
          GITHUB_OUTPUT: output,
          REGISTRIES: String(registries),
        },
        encoding: 'utf8',
      });
      return { status: r.status, stdout: r.stdout, output: readFileSync(output, 'utf8') };
    };
    const digest = `sha256:${'a'.repeat(64)}`;
    try {
      expect(run({ image: 'ghcr.io/hamigames/lucid/svc', digest })).toMatchObject({
        status: 0,
        output: `image_0=ghcr.io/hamigames/lucid/svc\nimage=ghcr.io/hamigames/lucid/svc\ndigest=${digest}\npushed=true\n`,
      });
      // Several registries: one subject name each; a record of another number of registries than the workflow
      // signs for is refused (the workflow is stale).
      const two = {
        image: 'ghcr.io/hamigames/lucid/svc',
        digest,
        registries: [{ image: 'ghcr.io/hamigames/lucid/svc' }, { image: 'registry.example.com/hamigames/lucid/svc' }],
      };
      registries = 2;
      expect(run(two).output).toMatch(
        /^image_0=ghcr\.io\/hamigames\/lucid\/svc\nimage_1=registry\.example\.com\/hamigames\/lucid\/svc\n/,
      );
      registries = 1;
      expect(run(two).stdout).toMatch(
        /::error::.*but the workflow signs for 1 registries: re-run nx g @lucid\/nx-lucid:ci/,
      );
      expect(run({ image: 'ghcr.io/hamigames/lucid/svc:latest', digest }).stdout).toMatch(
        /::error::.*not registry\/repository\/name in lower case/,
      );
      expect(run({ image: 'ghcr.io/HamiGames/lucid/svc', digest }).status).toBe(1);
      expect(run({ image: 'ghcr.io/hamigames/lucid/svc', digest: 'sha256:abc' }).stdout).toMatch(
        /::error::.*is not sha256:<64 hex>/,
      );
      expect(run({ image: 'ghcr.io/hamigames/lucid/svc', digest }, false).stdout).toMatch(
        /::error::.*sbom\.cdx\.json not found/,
      );
      expect(run(null)).toMatchObject({ status: 0, output: 'pushed=false\n' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('generated workflows: attestations in every registry', () => {
  it('with several registries, the attest job signs the digest in each (one subject name each, its own login)', () => {
    const text = generateWorkflows(ciInput({ registries: ['ghcr.io', 'registry.example.com'] }))[CONTAINERS_WORKFLOW];
    const { jobs } = parse(text) as Workflow;
    const steps = jobs.attest.steps;
    const signing = steps.filter((s) => /attest-(build-provenance|sbom)/.test(s.uses ?? ''));
    expect(signing.map((s) => [s.uses!.split('@')[0], (s.with as Record<string, string>)['subject-name']])).toEqual([
      ['actions/attest-build-provenance', '${{ steps.subject.outputs.image_0 }}'],
      ['actions/attest-sbom', '${{ steps.subject.outputs.image_0 }}'],
      ['actions/attest-build-provenance', '${{ steps.subject.outputs.image_1 }}'],
      ['actions/attest-sbom', '${{ steps.subject.outputs.image_1 }}'],
    ]);
    expect(
      steps
        .filter((s) => s.uses?.startsWith('docker/login-action'))
        .map((s) => (s.with as { registry: string }).registry),
    ).toEqual(['ghcr.io', 'registry.example.com']);
    expect(steps.find((s) => s.id === 'subject')?.env?.REGISTRIES).toBe('2');
    // Each login with the credentials the push used for that registry.
    expect(steps.filter((s) => s.uses?.startsWith('docker/login-action')).map((s) => s.with)).toEqual([
      { registry: 'ghcr.io', username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' },
      {
        registry: 'registry.example.com',
        username: '${{ secrets.LUCID_REGISTRY_USERNAME }}',
        password: '${{ secrets.LUCID_REGISTRY_PASSWORD }}',
      },
    ]);
  });
});

describe('generated workflows: pull requests, remote cache, sequential and native modes, dispatch inputs', () => {
  it('pull requests: build, scan, report (same-repo only); nothing pushes or logs in; remote cache read-only', () => {
    const text = generateWorkflows(ciInput())[CONTAINERS_PR_WORKFLOW];
    const { on, jobs } = parse(text) as Workflow;
    expect(Object.keys(on)).toEqual(['pull_request']);
    expect(Object.keys(jobs)).toEqual(['plan', 'isolation', 'build', 'scan', 'report']);
    expect(text).not.toContain('container-push');
    expect(text).not.toContain(ACTIONS.login);
    expect(text).not.toContain('READ_WRITE');
    expect(jobs.report.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(step(jobs.build, (s) => s.run?.includes('run-many') ?? false).env).toMatchObject({
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: '${{ secrets.NX_CACHE_READ_TOKEN }}',
    });
  });

  it('remote cache: read-write only in the default-branch build job; Nx Cloud when chosen; nothing when none', () => {
    const { jobs } = wf({}, CONTAINERS_WORKFLOW);
    const cacheEnv = (j: Job) => j.steps.map((s) => s.env?.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN).filter(Boolean);
    expect(cacheEnv(jobs.build)).toEqual(['${{ secrets.NX_CACHE_READ_WRITE_TOKEN }}']);
    expect(cacheEnv(jobs.scan)).toEqual(['${{ secrets.NX_CACHE_READ_TOKEN }}']);
    expect(step(jobs.build, (s) => s.run?.includes('run-many') ?? false).env!.NX_SELF_HOSTED_REMOTE_CACHE_SERVER).toBe(
      "${{ secrets.NX_CACHE_READ_WRITE_TOKEN != '' && vars.NX_SELF_HOSTED_REMOTE_CACHE_SERVER || '' }}",
    );
    const cloud = wf({ remoteCache: 'nx-cloud' }, CONTAINERS_WORKFLOW);
    expect(cloud.env.NX_NO_CLOUD).toBeUndefined();
    expect(step(cloud.jobs.build, (s) => s.run?.includes('run-many') ?? false).env!.NX_CLOUD_ACCESS_TOKEN).toBe(
      '${{ secrets.NX_CLOUD_ACCESS_TOKEN }}',
    );
    expect(step(cloud.jobs.scan, (s) => s.run?.includes('run-many') ?? false).env!.NX_CLOUD_ACCESS_TOKEN).toBe(
      '${{ secrets.NX_CLOUD_READ_TOKEN }}',
    );
    const none = generateWorkflows(ciInput({ remoteCache: 'none' }))[CONTAINERS_WORKFLOW];
    expect(none).not.toMatch(/NX_SELF_HOSTED|NX_CLOUD_ACCESS/);
    expect((parse(none) as Workflow).env.NX_NO_CLOUD).toBe('true');
  });

  it('sequential phases: one chain per phase; a phase with nothing affected is skipped without stopping the next', () => {
    const { jobs } = wf({ sequentialPhases: true }, CONTAINERS_WORKFLOW);
    expect(Object.keys(jobs)).toEqual([
      'plan',
      'isolation',
      ...[1, 2, 4, 'untagged'].flatMap((n) => [`build-${n}`, `scan-${n}`, `report-${n}`, `push-${n}`, `attest-${n}`]),
    ]);
    expect(jobs['build-untagged'].needs).toEqual(['plan', 'isolation', 'push-4']);
    expect(step(jobs.plan, (s) => s.id === 'plan').env!.JOB_PHASES).toBe('1,2,4');
    expect(jobs['build-1'].needs).toEqual(['plan', 'isolation']);
    expect(jobs['build-2'].needs).toEqual(['plan', 'isolation', 'push-1']);
    expect(jobs['build-4'].if).toBe(
      "always() && !contains(needs.*.result, 'failure') && !contains(needs.*.result, 'cancelled') && needs.plan.outputs.phase_4 != ''",
    );
    expect(step(jobs['build-4'], (s) => s.run?.includes('run-many') ?? false).env).toMatchObject({
      PROJECTS: '${{ needs.plan.outputs.phase_4 }}',
      PARALLEL: '3',
    });
    expect(jobs['report-2'].strategy!.matrix).toBe('${{ fromJSON(needs.plan.outputs.services_2) }}');
  });

  it('native arm64: each platform built and scanned on its own runner, then one index per service merged from them and pushed', () => {
    const { jobs } = wf({ arm64: 'native' }, CONTAINERS_WORKFLOW);
    expect(jobs.build['runs-on']).toBe('${{ matrix.runner }}');
    expect(jobs.build.steps.some((s) => s.uses === ACTIONS.setupQemu)).toBe(false);
    expect(step(jobs.build, (s) => s.run?.includes('run-many') ?? false).env!.LUCID_PLATFORMS).toBe(
      '${{ matrix.platform }}',
    );
    expect(step(jobs.build, (s) => s.uses === ACTIONS.cacheSave).with!.path).toBe('dist/containers-${{ matrix.arch }}');
    expect(jobs.push.strategy!.matrix).toBe('${{ fromJSON(needs.plan.outputs.phases) }}');
    expect(jobs.push.steps.filter((s) => s.uses === ACTIONS.cacheRestore).map((s) => s.with!.path)).toEqual([
      'dist/containers-amd64',
      'dist/containers-amd64/*/scan',
      'dist/containers-arm64',
      'dist/containers-arm64/*/scan',
    ]);
    expect(step(jobs.push, (s) => s.run?.includes('merge-platforms') ?? false).run).toBe(
      'npx --no-install lucid merge-platforms --projects="$PROJECTS" --into=dist/containers --from=dist/containers-amd64 --from=dist/containers-arm64',
    );
    expect(jobs.report.steps.filter((s) => s.uses === ACTIONS.uploadSarif).map((s) => s.with!.category)).toEqual([
      'container-${{ matrix.service }}-amd64',
      'container-${{ matrix.service }}-arm64',
    ]);
    expect(() => generateWorkflows(ciInput({ arm64: 'native', platforms: ['linux/amd64', 'linux/s390x'] }))).toThrow(
      /no runner for linux\/s390x/,
    );
  });

  it('workflow_dispatch: platforms and force-rebuild (every service of each phase, no Nx cache)', () => {
    const { on, env, jobs } = wf({}, CONTAINERS_WORKFLOW);
    expect(on.push).toEqual({ branches: ['main'] });
    expect(on.workflow_dispatch.inputs['force-rebuild']).toMatchObject({ type: 'boolean', default: false });
    expect(env).toMatchObject({
      LUCID_ENGINE: 'buildx',
      LUCID_PLATFORMS: "${{ inputs.platforms || 'linux/amd64,linux/arm64' }}",
    });
    expect(step(jobs.plan, (s) => s.id === 'plan').env!.FORCE_REBUILD).toBe(
      "${{ inputs.force-rebuild && 'true' || 'false' }}",
    );
    expect(step(jobs.build, (s) => s.run?.includes('run-many') ?? false).run).toContain(
      "${{ inputs.force-rebuild && '--skip-nx-cache' || '' }}",
    );
  });

  it('refuses inputs that would make a broken or unsafe workflow', () => {
    expect(() => generateWorkflows(ciInput({ runner: 'ubuntu; rm -rf /' }))).toThrow(/not a runner label/);
    expect(() => generateWorkflows(ciInput({ phaseTagPrefix: 'phase:$(id)' }))).toThrow(/phaseTagPrefix/);
    expect(() => generateWorkflows(ciInput({ rescanCron: '@daily' }))).toThrow(/cron/);
  });

  it('records the generator options in the header', () => {
    const text = generateWorkflows(ciInput({ generatorOptions: { parallel: 5, sequentialPhases: true } }))[
      CONTAINERS_WORKFLOW
    ];
    expect(readRecordedOptions(text)).toEqual({ parallel: 5, sequentialPhases: true });
    expect(readRecordedOptions('name: x\n')).toBeNull();
  });
});

const dir = mkdtempSync(join(tmpdir(), 'lucid-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The graph `nx graph --file` writes (graph.nodes.<name>.data: root, tags, targets), as the workflow has it at
 * run time: the generator's phases, a library, a Dockerfile-only project (no tags) and a service added by hand
 * after the workflows were generated.
 */
const graph = (extra: Record<string, { tags: string[]; targets?: Record<string, object> }> = {}) => {
  const nodes: Record<string, unknown> = {};
  const add = (name: string, tags: string[], targets: Record<string, object> = { 'container-build': {} }) =>
    (nodes[name] = { name, type: 'app', data: { root: `apps/${name}`, tags, targets } });
  for (const p of ciInput().phases) for (const s of p.services) add(s, [`phase:${p.phase}`, 'type:service']);
  add('lucid-common', ['type:lib'], {});
  add('web', []);
  add('billing', ['phase:2']);
  for (const [name, n] of Object.entries(extra)) add(name, n.tags, n.targets);
  return { graph: { nodes, dependencies: {} } };
};

function runPlan(
  over: Partial<CiWorkflowInput>,
  affected: unknown,
  env: Record<string, string> = {},
  graphJson: unknown = graph(),
) {
  const planStep = step(wf(over, CONTAINERS_WORKFLOW).jobs.plan, (s) => s.id === 'plan');
  writeFileSync(join(dir, 'script.js'), planStep.run!);
  writeFileSync(join(dir, 'affected.json'), JSON.stringify(affected));
  writeFileSync(join(dir, 'graph.json'), JSON.stringify(graphJson));
  writeFileSync(join(dir, 'out'), '');
  const stepEnv = {
    ...planStep.env!,
    AFFECTED_FILE: join(dir, 'affected.json'),
    GRAPH_FILE: join(dir, 'graph.json'),
    FORCE_REBUILD: 'false',
    ...env,
  };
  const run = spawnSync(process.execPath, [join(dir, 'script.js')], {
    env: { PATH: process.env.PATH!, GITHUB_OUTPUT: join(dir, 'out'), ...stepEnv },
    encoding: 'utf8',
  });
  // GitHub reads ::error:: from stdout.
  if (run.status !== 0) throw new Error(`plan exited ${run.status}: ${run.stdout}${run.stderr}`);
  const stdout = run.stdout;
  const outputs: Record<string, string> = Object.fromEntries(
    readFileSync(join(dir, 'out'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { ...outputs, stdout } as Record<string, string>;
}
// Exactly what `lucid affected --json` prints (bin/lucid.ts runAffected).
const lucidJson = (names: string[]) => ({
  base: 'origin/main',
  head: 'HEAD',
  changedFiles: ['libs/tron-common/src/tron_common/x.py'],
  affected: names.map(
    (name): AffectedProject =>
      ({ name, reason: { files: ['libs/tron-common/src/tron_common/x.py'] } }) as AffectedProject,
  ),
});

describe('the plan job run for real (node, as `shell: node {0}` runs it)', () => {
  it('starts jobs only for phases with affected services, read from the project graph at run time', () => {
    const out = runPlan({}, lucidJson(['tron-client', 'tron-staking']));
    expect(JSON.parse(out.matrix)).toEqual({
      include: [{ phase: 4, label: 'phase 4', parallel: 2, projects: 'tron-client,tron-staking' }],
    });
    expect(JSON.parse(out.services).include).toEqual([
      { service: 'tron-client', phase: 4 },
      { service: 'tron-staking', phase: 4 },
    ]);
    expect(out.any).toBe('true');
  });

  it('a service added by hand and a Dockerfile-only project (untagged shard) are built without regenerating', () => {
    const out = runPlan({}, lucidJson(['billing', 'web', 'lucid-common']));
    expect(JSON.parse(out.matrix).include).toEqual([
      { phase: 2, label: 'phase 2', parallel: 1, projects: 'billing' },
      { phase: 'untagged', label: 'untagged', parallel: 1, projects: 'web' },
    ]);
    expect(out.stdout).toContain('::notice::no phase:<N> tag, built in the untagged shard: web');
  });

  it('nothing affected: any=false, so no phase job starts', () => {
    const out = runPlan({}, lucidJson([]));
    expect(out.any).toBe('false');
    expect(JSON.parse(out.matrix)).toEqual({ include: [] });
  });

  it('native: one entry per phase and platform, and a per-phase matrix for the merge/push jobs', () => {
    const out = runPlan({ arm64: 'native' }, lucidJson(['redis']));
    const shard = { phase: 1, label: 'phase 1', parallel: 1, projects: 'redis' };
    expect(JSON.parse(out.matrix).include).toEqual([
      { ...shard, platform: 'linux/amd64', arch: 'amd64', runner: 'ubuntu-24.04' },
      { ...shard, platform: 'linux/arm64', arch: 'arm64', runner: 'ubuntu-24.04-arm' },
    ]);
    expect(JSON.parse(out.phases).include).toEqual([shard]);
  });

  it('affected: nx reads `nx show projects --affected --json` (an array); force-rebuild takes every service', () => {
    expect(JSON.parse(runPlan({ affected: 'nx' }, ['api-gateway', 'some-lib']).matrix).include).toEqual([
      { phase: 2, label: 'phase 2', parallel: 1, projects: 'api-gateway' },
    ]);
    expect(
      JSON.parse(runPlan({}, {}, { FORCE_REBUILD: 'true' }).matrix).include.map((m: { phase: number }) => m.phase),
    ).toEqual([1, 2, 4, 'untagged']);
  });
});

describe('the plan job run for real: sequential phases, --phases, bad tags', () => {
  it('sequential: per-phase outputs; a phase with no job fails the plan, naming the phase and the fix', () => {
    const out = runPlan({ sequentialPhases: true }, lucidJson(['billing', 'redis']));
    expect(out).toMatchObject({ phase_1: 'redis', phase_2: 'billing', phase_4: '', phase_untagged: '' });
    expect(JSON.parse(out.services_2)).toEqual({ include: [{ service: 'billing', phase: 2 }] });
    expect(() =>
      runPlan({ sequentialPhases: true }, lucidJson([]), {}, graph({ audit: { tags: ['phase:7'] } })),
    ).toThrow(/phase 7 has container projects but no job in this workflow: re-run nx g @lucid\/nx-lucid:ci/);
  });

  it('--phases is applied at run time; a malformed phase tag fails the plan with the project named', () => {
    const only = runPlan({ onlyPhases: [2] }, {}, { FORCE_REBUILD: 'true' });
    expect(JSON.parse(only.matrix).include.map((m: { projects: string }) => m.projects)).toEqual([
      'api-gateway,billing',
    ]);
    expect(() => runPlan({}, lucidJson([]), {}, graph({ bad: { tags: ['phase:x'] } }))).toThrow(
      /bad: phase tag "phase:x" is not phase:<positive integer>/,
    );
  });
});

describe('phases from project tags', () => {
  const p = (name: string, tags: string[], hasDockerfile = true) => ({ name, tags, hasDockerfile });

  it('groups Dockerfile projects by phase tag, ignores libraries, reports untagged services', () => {
    const layout = phasesFromProjects([
      p('b', ['phase:2']),
      p('a', ['phase:2', 'scope:x']),
      p('c', ['phase:10']),
      p('lib', ['phase:1'], false),
      p('loose', []),
    ]);
    expect(layout).toEqual({
      phases: [
        { phase: 2, services: ['a', 'b'] },
        { phase: 10, services: ['c'] },
      ],
      untagged: ['loose'],
    });
  });

  it('rejects malformed and duplicate phase tags with the project named', () => {
    expect(() => phasesFromProjects([p('x', ['phase:one'])])).toThrow(
      /x: phase tag "phase:one" is not phase:<positive integer>/,
    );
    expect(() => phasesFromProjects([p('y', ['phase:1', 'phase:2'])])).toThrow(/y has more than one phase tag/);
  });

  it('--phases selects known phases and refuses unknown ones', () => {
    const layout = phasesFromProjects([p('a', ['phase:1']), p('b', ['phase:3'])]);
    expect(selectPhases(layout, [3]).map((x) => x.phase)).toEqual([3]);
    expect(() => selectPhases(layout, [2])).toThrow(
      /--phases 2: no container service is tagged with this phase \(phases in the workspace: 1, 3\)/,
    );
  });
});
