import { validateWorkflow } from '@action-validator/core';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FsTree } from 'nx/src/generators/tree';
import { parse } from 'yaml';
import { CONTAINERS_PR_WORKFLOW, CONTAINERS_WORKFLOW, readRecordedOptions } from '../src/ci/workflows';
import ciGenerator, { WORKFLOWS_DIR } from '../src/generators/ci/generator';
import { runProcess } from '../src/boundary/process';
import { createWorkspace, NX_ENV, ThrowawayWorkspace, WORKSPACE_ROOT } from './support/workspace';

/**
 * The generators on a real workspace on disk (a throwaway git copy of all 29 services and the libs), through the
 * nx CLI as a person runs them, and the ci generator against this repository itself.
 */
let ws: ThrowawayWorkspace;

beforeAll(async () => {
  ws = await createWorkspace({ apps: 'all', libs: 'all', files: { 'project.json': readFileSync(join(WORKSPACE_ROOT, 'project.json'), 'utf8') } });
});
afterAll(() => ws?.dispose());

const shardsOf = (text: string) => (parse(text) as { jobs: { phase: { strategy: { matrix: { include: Array<{ phase: number }> } } } } }).jobs.phase.strategy.matrix.include.map((m) => m.phase);

it('nx g service: the new project gets every inferred container target; nx g ci: a fifth shard that its affected step selects', async () => {
  const created = await ws.nx(['g', '@lucid/nx-lucid:service', 'billing-service', '--phase=5', '--scope=tron', '--no-interactive']);
  expect(created.exitCode).toBe(0);
  const shown = await ws.nx(['show', 'project', 'billing-service', '--json']);
  expect(shown.exitCode).toBe(0);
  const project = JSON.parse(shown.stdout) as { tags: string[]; targets: Record<string, unknown> };
  expect(project.tags).toEqual(['phase:5', 'scope:tron', 'type:service']);
  expect(Object.keys(project.targets)).toEqual(expect.arrayContaining(['container-build', 'scan', 'container-verify', 'container-push', 'container-release']));
  // The Dockerfile's COPY of tron-common is a graph dependency, as for the hand-written TRON services.
  const graph = await ws.nx(['graph', '--file=stdout', '--focus=billing-service']);
  expect(JSON.parse(graph.stdout).graph.dependencies['billing-service'].map((d: { target: string }) => d.target).sort()).toEqual(['lucid-common', 'tron-common']);

  const ci = await ws.nx(['g', '@lucid/nx-lucid:ci', '--no-interactive']);
  expect(ci.exitCode).toBe(0);
  const push = readFileSync(join(ws.root, WORKFLOWS_DIR, CONTAINERS_WORKFLOW), 'utf8');
  const pr = readFileSync(join(ws.root, WORKFLOWS_DIR, CONTAINERS_PR_WORKFLOW), 'utf8');
  for (const text of [push, pr]) expect(validateWorkflow(text).errors).toEqual([]);
  expect(shardsOf(push)).toEqual([1, 2, 3, 4, 5]);
  expect(shardsOf(pr)).toEqual([1, 2, 3, 4, 5]);
  expect((push.match(/uses: github\/codeql-action\/upload-sarif@v3/g) ?? []).length).toBe(30);

  // The workflow's own project selection, run for real over a real commit: only the phase-5 service is affected.
  const selector = /--projects="([^"]+)"/.exec(push)![1];
  await ws.commit('billing-service');
  const lucidAffected = (phase: number) =>
    runProcess('node', ['-r', '@swc-node/register', 'tools/nx-lucid/bin/lucid.ts', 'affected', '--base=HEAD~1', '--head=HEAD', `--projects=${selector.replace('$PHASE', String(phase))}`], {
      cwd: ws.root,
      env: { ...process.env, ...NX_ENV },
    });
  expect((await lucidAffected(5)).stdout.trim().split('\n')).toEqual(['billing-service']);
  expect((await lucidAffected(4)).stdout.trim()).toMatch(/^No container project is affected/);
});

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
});

it("this repository's committed workflows are what the ci generator makes from its current graph", async () => {
  const committed = join(WORKSPACE_ROOT, WORKFLOWS_DIR, CONTAINERS_WORKFLOW);
  expect(existsSync(committed)).toBe(true);
  const tree = new FsTree(WORKSPACE_ROOT, false);
  await ciGenerator(tree, readRecordedOptions(readFileSync(committed, 'utf8')) ?? {});
  for (const file of [CONTAINERS_WORKFLOW, CONTAINERS_PR_WORKFLOW]) {
    const path = join(WORKFLOWS_DIR, file);
    // Stale? Run: npx nx g @lucid/nx-lucid:ci
    expect(tree.read(path, 'utf-8')).toBe(readFileSync(join(WORKSPACE_ROOT, path), 'utf8'));
  }
  expect(shardsOf(tree.read(join(WORKFLOWS_DIR, CONTAINERS_WORKFLOW), 'utf-8')!)).toEqual([1, 2, 3, 4]);
});
