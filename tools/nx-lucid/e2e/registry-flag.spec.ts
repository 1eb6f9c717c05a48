/**
 * Flags beat the environment: with LUCID_REGISTRY naming registry A, `container-release delete --registry=B` (an
 * Nx task override, i.e. a command-line flag) acts on B and says LUCID_REGISTRY was ignored; a registry that comes
 * from the target's options (project.json, inferred) is still overridden by LUCID_REGISTRY. Same for container-push.
 * Two real registries; the tags are read back with skopeo.
 */
import type { ExecutorContext } from '@nx/devkit';
import { runPush } from '../src/nx/executors/push/executor';
import { runRelease } from '../src/nx/executors/release/executor';
import { makeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';
import { executorContext, skopeoTags } from './support/registry-check';

const PROJECT = 'flag-service';
const REPO = `hamigames/lucid/${PROJECT}`;
const SHA = 'abcdef0123456789abcdef0123456789abcdef01';

/** The context Nx gives a task run as `nx run <project>:<target> <flags>`: the flags are the task's overrides. */
function withFlags(ctx: ExecutorContext, target: string, overrides: Record<string, unknown>): ExecutorContext {
  const id = `${PROJECT}:${target}`;
  const task = { id, target: { project: PROJECT, target }, overrides, outputs: [], parallelism: true };
  return {
    ...ctx,
    targetName: target,
    taskGraph: { roots: [id], tasks: { [id]: task }, dependencies: {}, continuousDependencies: {} },
  } as unknown as ExecutorContext;
}

describe('--registry beats LUCID_REGISTRY for commands that write or delete', () => {
  let a: TestRegistry;
  let b: TestRegistry;
  beforeAll(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry()]);
  });
  afterAll(async () => Promise.all([a?.stop(), b?.stop()]));

  it('push and delete go where the flag says; options from project.json still yield to the environment', async () => {
    const made = makeLayout({ project: PROJECT, platforms: ['linux/amd64'] });
    const ctx = executorContext(made.root, PROJECT);
    const envA = { GITHUB_SHA: undefined, GITHUB_REF_NAME: undefined, LUCID_REGISTRY: a.host };
    const push = { outputPath: made.outputPath, repository: 'hamigames/lucid', sha: SHA, releaseVersion: '1.0.0' };
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);

    // registry B from the target's options (not a flag): LUCID_REGISTRY=A wins, as the main job relies on.
    await runPush({ ...push, registry: b.host }, ctx, { env: envA, log });
    expect(await skopeoTags(a.host, REPO)).toContain('v1.0.0');
    expect(await skopeoTags(b.host, REPO)).toEqual([]);

    // --registry=B on the command line: B, and the line says why.
    await runPush({ ...push, registry: b.host }, withFlags(ctx, 'container-push', { registry: b.host }), {
      env: envA,
      log,
    });
    expect(await skopeoTags(b.host, REPO)).toContain('v1.0.0');
    expect(lines.join('\n')).toContain(`--registry=${b.host} given: LUCID_REGISTRY=${a.host} ignored`);

    // container-release delete --registry=B: the tag goes from B only; A keeps it.
    const del = { action: 'delete', version: 'v1.0.0', registry: b.host, repository: 'hamigames/lucid', force: true };
    await runRelease(del, withFlags(ctx, 'container-release', { registry: b.host }), { env: envA, log });
    expect(await skopeoTags(b.host, REPO)).not.toContain('v1.0.0');
    expect(await skopeoTags(a.host, REPO)).toContain('v1.0.0');
  });
});
