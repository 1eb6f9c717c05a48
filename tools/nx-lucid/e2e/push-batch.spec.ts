/**
 * container-push in Nx batch mode (one process for every push task of a run) against a real registry: each task
 * gets its own result and terminal output, a failing task fails alone, and a second run uploads nothing.
 */
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import pushBatch from '../src/nx/executors/push/batch';
import { makeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';
import { executorContext, findIncompleteTags } from './support/registry-check';

const SERVICES = ['svc-a', 'svc-b', 'svc-c', 'svc-d', 'svc-e'];

describe('container-push batch implementation', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
  });
  afterAll(async () => reg?.stop());

  it('pushes every task in one process; the warm rerun uploads nothing; one bad task fails alone', async () => {
    const shared = Buffer.alloc(4096, 7);
    const first = makeLayout({ project: SERVICES[0], sharedLayer: shared });
    for (const s of SERVICES.slice(1)) makeLayout({ project: s, root: first.root, sharedLayer: shared });
    const context: ExecutorContext = executorContext(first.root, SERVICES[0], { siblings: SERVICES.slice(1) });
    const task = (project: string) => ({
      id: `${project}:container-push`,
      target: { project, target: 'container-push' },
      overrides: {},
      outputs: [],
    });
    const graph = (projects: string[]) =>
      ({
        roots: [],
        tasks: Object.fromEntries(projects.map((p) => [`${p}:container-push`, task(p)])),
        dependencies: {},
      }) as unknown as TaskGraph;
    const inputs = (projects: string[], extra: Record<string, Record<string, unknown>> = {}) =>
      Object.fromEntries(
        projects.map((p) => [
          `${p}:container-push`,
          {
            outputPath: `dist/containers/${p}`,
            registry: reg.host,
            repository: 'hamigames/lucid',
            sha: 'b'.repeat(40),
            ...extra[p],
          },
        ]),
      );
    const run = async (projects: string[], extra?: Record<string, Record<string, unknown>>) => {
      const results: Record<string, { success: boolean; terminalOutput: string }> = {};
      for await (const r of pushBatch(graph(projects), inputs(projects, extra), {}, context))
        results[r.task] = r.result;
      return results;
    };

    const cold = await run(SERVICES);
    expect(Object.keys(cold).sort()).toEqual(SERVICES.map((s) => `${s}:container-push`));
    for (const s of SERVICES) {
      expect(cold[`${s}:container-push`].success).toBe(true);
      expect(cold[`${s}:container-push`].terminalOutput).toMatch(
        new RegExp(`pushed ${reg.host}/hamigames/lucid/${s}@sha256:`),
      );
    }
    expect(await findIncompleteTags(reg.url)).toEqual([]);

    const warm = await run(SERVICES);
    for (const s of SERVICES) expect(warm[`${s}:container-push`].terminalOutput).toMatch(/blobs: 0 uploaded/);

    // svc-bad has a build output but is not a project of the workspace.
    makeLayout({ project: 'svc-bad', root: first.root });
    const mixed = await run(['svc-a', 'svc-bad']);
    expect(mixed['svc-a:container-push'].success).toBe(true);
    expect(mixed['svc-bad:container-push'].success).toBe(false);
    expect(mixed['svc-bad:container-push'].terminalOutput).toMatch(/unknown project "svc-bad"/);
  });
});
