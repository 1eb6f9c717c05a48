/**
 * In Nx batch mode, Nx checks every task's options against schema.json before any of our code runs, outside any
 * try: a SchemaError there kills the batch process as `UnhandledPromiseRejection "#<SchemaError>"`, and the
 * option and the reason are lost. So a batch executor's schema.json leaves the checks to our zod schema, which
 * fails the one task with the option and the reason. This spec runs Nx's own option combiner on our schema.json.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { combineOptionsForExecutor } from 'nx/src/utils/params';
import { z } from 'zod';
import pushBatch from './push/batch';
import verifyBatch from './verify/batch';

const executors = require('../../../executors.json').executors as Record<string, { batchImplementation?: string }>;

type Batch = (
  graph: TaskGraph,
  inputs: Record<string, unknown>,
  overrides: unknown,
  context: ExecutorContext,
) => AsyncGenerator<{ task: string; result: { success: boolean; terminalOutput: string } }>;

/** Bad values, each refused by our zod schema with its option named; the reason each must name. */
const cases: Array<{ executor: string; batch: Batch; options: Record<string, unknown>; reason: RegExp }> = [
  { executor: 'verify', batch: verifyBatch, options: { outputPath: '' }, reason: /outputPath/ },
  { executor: 'verify', batch: verifyBatch, options: { repository: 'BAD/Repo' }, reason: /repository/ },
  { executor: 'verify', batch: verifyBatch, options: { platforms: [] }, reason: /platforms/ },
  { executor: 'verify', batch: verifyBatch, options: { forbiddenPaths: ['bin/sh'] }, reason: /forbiddenPaths/ },
  { executor: 'verify', batch: verifyBatch, options: { bogusOption: 1 }, reason: /bogusOption/ },
  { executor: 'push', batch: pushBatch, options: { latest: 'sometimes' }, reason: /latest[\s\S]*auto/ },
  { executor: 'push', batch: pushBatch, options: { latestOnBranch: '' }, reason: /latestOnBranch/ },
  { executor: 'push', batch: pushBatch, options: { bogusOption: 1 }, reason: /bogusOption/ },
  // Values of another JSON type than the option's (as the command line gives them when Nx cannot coerce them).
  { executor: 'verify', batch: verifyBatch, options: { dryRun: 'maybe' }, reason: /dryRun/ },
  { executor: 'push', batch: pushBatch, options: { retries: 'many' }, reason: /retries/ },
];

describe('batch executors: a bad option fails its task with the option and the reason, not a lost SchemaError', () => {
  it('covers every executor that has a batch implementation', () => {
    const batched = Object.entries(executors)
      .filter(([, e]) => e.batchImplementation)
      .map(([name]) => name);
    expect([...new Set(cases.map((c) => c.executor))].sort()).toEqual(batched.sort());
  });

  it.each(['push', 'verify'])('%s: schema.json keeps every default exactly as the zod schema has it', (executor) => {
    const { schema } = require(`./${executor}/options`) as { schema: z.ZodType };
    const fromZod = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties: object };
    const written = require(`./${executor}/schema.json`) as { properties: object };
    const defaults = (props: object) =>
      Object.entries(props).map(([k, v]) => [k, (v as { default?: unknown }).default]);
    expect(defaults(written.properties)).toEqual(defaults(fromZod.properties));
  });

  it('still coerces command-line strings to the option types (Nx does it from schema.json)', () => {
    const target = { executor: '@lucid/nx-lucid:push', options: { outputPath: 'dist/containers/svc' } };
    const schema = require('./push/schema.json');
    const combined = combineOptionsForExecutor(
      { dryRun: 'true', retries: '3' },
      '',
      target,
      schema,
      null,
      process.cwd(),
    );
    expect(combined).toMatchObject({ dryRun: true, retries: 3 });
  });

  it.each(cases)('$executor $options', async ({ executor, batch, options, reason }) => {
    const schema = require(`./${executor}/schema.json`);
    const target = {
      executor: `@lucid/nx-lucid:${executor}`,
      options: { outputPath: 'dist/containers/svc', ...options },
    };
    // Nx's own step in batch mode (nx/src/tasks-runner/batch/run-batch.js): must not throw.
    const combined = combineOptionsForExecutor({}, '', target, schema, null, process.cwd());

    const root = mkdtempSync(join(tmpdir(), 'batch-schema-'));
    const id = `svc:container-${executor}`;
    const graph = { roots: [id], dependencies: {}, tasks: { [id]: { id, target: { project: 'svc' }, overrides: {} } } };
    const context = {
      root,
      cwd: root,
      isVerbose: false,
      projectsConfigurations: { version: 2, projects: { svc: { root: 'svc', targets: {} } } },
      nxJsonConfiguration: {},
    } as unknown as ExecutorContext;
    const results = [];
    for await (const r of batch(graph as unknown as TaskGraph, { [id]: combined }, {}, context)) results.push(r);
    expect(results).toHaveLength(1);
    expect(results[0].result.success).toBe(false);
    expect(results[0].result.terminalOutput).toMatch(/invalid options/);
    expect(results[0].result.terminalOutput).toMatch(reason);
  });
});
