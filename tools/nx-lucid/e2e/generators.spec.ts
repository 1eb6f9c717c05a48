import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsTree } from 'nx/src/generators/tree';
import { parse } from 'yaml';
import { DEPENDABOT_FILE } from '../src/ci/dependabot';
import { CONTAINERS_PR_WORKFLOW, CONTAINERS_WORKFLOW, readRecordedOptions, WORKFLOW_FILES } from '../src/ci/workflows';
import ciGenerator, { WORKFLOWS_DIR } from '../src/nx/generators/ci/generator';
import { runProcess } from '../src/boundary/process';
import { schemaErrors } from '../src/ci/test-support';
import { createWorkspace, NX_ENV, ThrowawayWorkspace, WORKSPACE_ROOT } from './support/workspace';

/**
 * The generators on a real workspace on disk (a throwaway git copy of all 29 services and the libs), through the
 * nx CLI as a person runs them, and the ci generator against this repository itself.
 */
let ws: ThrowawayWorkspace;

beforeAll(async () => {
  ws = await createWorkspace({
    apps: 'all',
    libs: 'all',
    files: { 'project.json': readFileSync(join(WORKSPACE_ROOT, 'project.json'), 'utf8') },
  });
});
afterAll(() => ws?.dispose());

type PlanStep = { id?: string; run?: string; env?: Record<string, string> };
const planSteps = (text: string) => (parse(text) as { jobs: { plan: { steps: PlanStep[] } } }).jobs.plan.steps;

it('nx g service: the new project gets every inferred container target; nx g ci: a fifth shard that its affected step selects', async () => {
  const created = await ws.nx([
    'g',
    '@lucid/nx-lucid:service',
    'billing-service',
    '--phase=5',
    '--scope=tron',
    '--no-interactive',
  ]);
  expect(created.exitCode).toBe(0);
  const shown = await ws.nx(['show', 'project', 'billing-service', '--json']);
  expect(shown.exitCode).toBe(0);
  const project = JSON.parse(shown.stdout) as { tags: string[]; targets: Record<string, unknown> };
  expect(project.tags).toEqual(['phase:5', 'scope:tron', 'type:service']);
  expect(Object.keys(project.targets)).toEqual(
    expect.arrayContaining(['container-build', 'scan', 'container-verify', 'container-push', 'container-release']),
  );
  // The Dockerfile's COPY of tron-common is a graph dependency, as for the hand-written TRON services.
  const graph = await ws.nx(['graph', '--file=stdout', '--focus=billing-service']);
  expect(
    JSON.parse(graph.stdout)
      .graph.dependencies['billing-service'].map((d: { target: string }) => d.target)
      .sort(),
  ).toEqual(['lucid-common', 'tron-common']);

  const ci = await ws.nx(['g', '@lucid/nx-lucid:ci', '--no-interactive']);
  expect(ci.exitCode).toBe(0);
  const push = readFileSync(join(ws.root, WORKFLOWS_DIR, CONTAINERS_WORKFLOW), 'utf8');
  const pr = readFileSync(join(ws.root, WORKFLOWS_DIR, CONTAINERS_PR_WORKFLOW), 'utf8');
  for (const text of [push, pr]) expect(schemaErrors(text)).toEqual([]);
  // Nothing about the services is frozen into the YAML: the plan job reads the project graph when it runs.
  for (const text of [push, pr]) {
    expect(text).not.toContain('billing-service');
    expect(
      (
        text.match(/uses: github\/codeql-action\/upload-sarif@8aad20d150bbac5944a9f9d289da16a4b0d87c1e # v4.36.2/g) ??
        []
      ).length,
    ).toBe(1);
  }

  // The plan job run for real over a real commit: its `lucid affected --json` step, then its matrix script.
  await ws.commit('billing-service');
  const scratch = mkdtempSync(join(tmpdir(), 'lucid-plan-'));
  const affectedFile = join(scratch, 'affected.json');
  const graphFile = join(scratch, 'graph.json');
  expect((await ws.nx(['graph', `--file=${graphFile}`])).exitCode).toBe(0);
  const affected = await runProcess(
    'node',
    ['-r', '@swc-node/register', 'tools/nx-lucid/bin/lucid.ts', 'affected', '--base=HEAD~1', '--head=HEAD', '--json'],
    {
      cwd: ws.root,
      env: { ...process.env, ...NX_ENV },
    },
  );
  expect(affected.exitCode).toBe(0);
  writeFileSync(affectedFile, affected.stdout);
  const plan = planSteps(push).find((s) => s.id === 'plan')!;
  const outputFile = join(scratch, 'github-output');
  writeFileSync(outputFile, '');
  writeFileSync(join(scratch, 'plan.js'), plan.run!);
  const ran = await runProcess('node', [join(scratch, 'plan.js')], {
    cwd: ws.root,
    env: {
      PATH: process.env.PATH,
      ...plan.env,
      AFFECTED_FILE: affectedFile,
      GRAPH_FILE: graphFile,
      FORCE_REBUILD: 'false',
      GITHUB_OUTPUT: outputFile,
    },
  });
  expect(ran.exitCode).toBe(0);
  const out = Object.fromEntries(
    readFileSync(outputFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  expect(JSON.parse(out.matrix)).toEqual({
    include: [{ phase: 5, label: 'phase 5', parallel: 1, projects: 'billing-service' }],
  });
  rmSync(scratch, { recursive: true, force: true });
}, 600_000);

it('nx g service refuses a bad or taken name with a clear message, a non-zero exit and nothing written', async () => {
  for (const [name, message] of [
    ['Billing', /uppercase/],
    ['../escape', /path separator/],
    ['auth-service', /already exists/],
  ] as const) {
    const r = await ws.nx(['g', '@lucid/nx-lucid:service', name, '--phase=1', '--no-interactive']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(message);
    expect(await ws.git(['status', '--porcelain'])).toBe('');
  }
  // Three nx CLI runs: a hang guard sized for a loaded machine, not a budget.
}, 600_000);

it("this repository's committed workflows are what the ci generator makes from its current graph", async () => {
  const committed = join(WORKSPACE_ROOT, WORKFLOWS_DIR, CONTAINERS_WORKFLOW);
  expect(existsSync(committed)).toBe(true);
  const tree = new FsTree(WORKSPACE_ROOT, false);
  await ciGenerator(tree, readRecordedOptions(readFileSync(committed, 'utf8')) ?? {});
  for (const path of [...WORKFLOW_FILES.map((f) => join(WORKFLOWS_DIR, f)), join('.github', DEPENDABOT_FILE)]) {
    // Stale? Run: npx nx g @lucid/nx-lucid:ci
    expect(tree.read(path, 'utf-8')).toBe(readFileSync(join(WORKSPACE_ROOT, path), 'utf8'));
  }
});
