import { addProjectConfiguration, readJson, readNxJson, Tree, updateNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parse } from 'yaml';
import ciGenerator from './ci/generator';
import initGenerator, { defaultPluginOptions } from './init/generator';
import serviceGenerator from './service/generator';
import { parseDockerfile } from '../../dockerfile/model';
import { schemaErrors } from '../../ci/test-support';

const CONTAINERS = '.github/workflows/containers.yml';
const PR = '.github/workflows/containers-pr.yml';
const RESCAN = '.github/workflows/containers-rescan.yml';
const RELEASE = '.github/workflows/containers-release.yml';

type Wf = {
  jobs: Record<
    string,
    {
      strategy?: { matrix: { include: Array<{ phase: number }> } };
      steps: Array<{ run?: string; with?: Record<string, unknown> }>;
      needs?: string[];
    }
  >;
};

/** A service as the workspace has them: project.json tags plus a Dockerfile (which is what makes it a container project). */
function addService(tree: Tree, name: string, phase: number, scope = 'core') {
  addProjectConfiguration(tree, name, {
    root: `apps/${name}`,
    projectType: 'application',
    tags: [`phase:${phase}`, `scope:${scope}`, 'type:service'],
  });
  tree.write(`apps/${name}/Dockerfile`, 'FROM scratch\n');
}

function workspace(): Tree {
  const tree = createTreeWithEmptyWorkspace();
  addProjectConfiguration(tree, 'lucid', {
    root: '.',
    targets: { isolation: { executor: '@lucid/nx-lucid:isolation', options: { rules: [] } } },
  });
  addProjectConfiguration(tree, 'lucid-common', {
    root: 'libs/lucid-common',
    projectType: 'library',
    tags: ['type:lib'],
  });
  tree.write('libs/lucid-common/src/lucid_common/__init__.py', '');
  addProjectConfiguration(tree, 'tron-common', {
    root: 'libs/tron-common',
    projectType: 'library',
    tags: ['scope:tron', 'type:lib'],
  });
  tree.write('libs/tron-common/src/tron_common/__init__.py', '');
  addService(tree, 'auth-service', 1, 'auth');
  addService(tree, 'redis', 1, 'storage');
  addService(tree, 'api-gateway', 2, 'gateway');
  addService(tree, 'session-api', 3, 'sessions');
  addService(tree, 'tron-client', 4, 'tron');
  return tree;
}

/** The plan step's env: phases and services are read from the project graph when the workflow runs. */
const planEnv = (text: string) =>
  (
    parse(text) as { jobs: { plan: { steps: Array<{ id?: string; env?: Record<string, string> }> } } }
  ).jobs.plan.steps.find((s) => s.id === 'plan')!.env!;

describe('ci generator', () => {
  it('freezes no service into the workflows: a phase-5 service added later is built without regenerating', async () => {
    const tree = workspace();
    await initGenerator(tree, {});
    await ciGenerator(tree, {});
    for (const f of [CONTAINERS, PR]) {
      expect(planEnv(tree.read(f, 'utf-8')!)).toMatchObject({
        PHASE_TAG_PREFIX: 'phase:',
        JOB_PHASES: '',
        ONLY_PHASES: '',
      });
      expect(tree.read(f, 'utf-8')).not.toMatch(/auth-service|tron-client/);
    }
    for (const f of [CONTAINERS, PR, RESCAN, RELEASE]) expect(schemaErrors(tree.read(f, 'utf-8')!)).toEqual([]);
    expect(tree.read('.github/dependabot.yml', 'utf-8')).toContain('package-ecosystem: github-actions');
    const before = [CONTAINERS, PR, RESCAN, RELEASE].map((f) => tree.read(f, 'utf-8'));

    addService(tree, 'billing', 5);
    await ciGenerator(tree, {});
    expect([CONTAINERS, PR, RESCAN, RELEASE].map((f) => tree.read(f, 'utf-8'))).toEqual(before);
    const text = tree.read(CONTAINERS, 'utf-8')!;
    expect(text).toContain('category: container-${{ matrix.service }}');
    expect(text).toContain('npx --no-install nx run lucid:isolation');
    expect(tree.read(RESCAN, 'utf-8')).toContain('category: published-${{ matrix.service }}');
  });

  it('follows the plugin options: phase tag prefix and default branch', async () => {
    const tree = createTreeWithEmptyWorkspace();
    const nx = readNxJson(tree)!;
    updateNxJson(tree, {
      ...nx,
      plugins: [{ plugin: '@lucid/nx-lucid', options: { phaseTagPrefix: 'wave-', latestOnBranch: 'trunk' } }],
    });
    addProjectConfiguration(tree, 'a', { root: 'apps/a', tags: ['wave-2'] });
    tree.write('apps/a/Dockerfile', 'FROM scratch\n');
    await ciGenerator(tree, { sequentialPhases: true });
    const wf = parse(tree.read(CONTAINERS, 'utf-8')!);
    expect(Object.keys(wf.jobs)).toEqual([
      'plan',
      ...[2, 'untagged'].flatMap((n) => [`build-${n}`, `scan-${n}`, `report-${n}`, `push-${n}`, `attest-${n}`]),
    ]);
    expect(planEnv(tree.read(CONTAINERS, 'utf-8')!)).toMatchObject({ PHASE_TAG_PREFIX: 'wave-', JOB_PHASES: '2' });
    expect(wf.on.push.branches).toEqual(['trunk']);
    expect(
      wf.jobs.plan.steps.find((s: { uses?: string }) => s.uses?.startsWith('nrwl/nx-set-shas')).with[
        'main-branch-name'
      ],
    ).toBe('trunk');
  });

  it('--phases is applied when the workflow runs; an unknown phase writes nothing; no phase tag at all is fine', async () => {
    const tree = workspace();
    await ciGenerator(tree, { phases: '4,2' });
    expect(planEnv(tree.read(CONTAINERS, 'utf-8')!).ONLY_PHASES).toBe('2,4');

    const t2 = workspace();
    await expect(ciGenerator(t2, { phases: [9] })).rejects.toThrow(/--phases 9/);
    expect(t2.exists(CONTAINERS)).toBe(false);
    await expect(ciGenerator(t2, { arm64: 'arm' })).rejects.toThrow(/arm64/);
    await expect(ciGenerator(t2, { trivyVersion: 'v0.69.5' })).rejects.toThrow(/compromised/);
    expect(t2.exists(CONTAINERS)).toBe(false);
    // Projects inferred from bare Dockerfiles have no tags: they build in the untagged shard.
    const bare = createTreeWithEmptyWorkspace();
    await ciGenerator(bare, {});
    expect(bare.exists(CONTAINERS)).toBe(true);
  });

  it('remoteCache auto: Nx Cloud when nx.json has nxCloudId, else the self-hosted cache; none writes no cache env', async () => {
    const tree = workspace();
    await ciGenerator(tree, {});
    expect(tree.read(CONTAINERS, 'utf-8')).toContain(
      'NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: ${{ secrets.NX_CACHE_READ_WRITE_TOKEN }}',
    );
    updateNxJson(tree, { ...readNxJson(tree)!, nxCloudId: 'abc123' });
    await ciGenerator(tree, {});
    const cloud = tree.read(CONTAINERS, 'utf-8')!;
    expect(cloud).toContain('NX_CLOUD_ACCESS_TOKEN: ${{ secrets.NX_CLOUD_ACCESS_TOKEN }}');
    expect(cloud).not.toContain('NX_SELF_HOSTED');
    await ciGenerator(tree, { remoteCache: 'none' });
    expect(tree.read(CONTAINERS, 'utf-8')).not.toMatch(/NX_SELF_HOSTED|NX_CLOUD_ACCESS_TOKEN/);
  });

  it('removes the seed hand-written workflows it replaces', async () => {
    const tree = workspace();
    tree.write('.github/workflows/build-phase1.yml', 'name: old\n');
    tree.write('.github/workflows/build-distroless.yml', 'name: old\n');
    tree.write('.github/workflows/unrelated.yml', 'name: keep\n');
    await ciGenerator(tree, {});
    expect(tree.exists('.github/workflows/build-phase1.yml')).toBe(false);
    expect(tree.exists('.github/workflows/build-distroless.yml')).toBe(false);
    expect(tree.exists('.github/workflows/unrelated.yml')).toBe(true);
  });
});

describe('service generator', () => {
  it('creates apps/<name> like the existing services, with the scope library for tron', async () => {
    const tree = workspace();
    await serviceGenerator(tree, {
      name: 'tron-refunds',
      phase: 4,
      scope: 'tron',
      description: 'TRON refund processing',
    });
    const project = readJson(tree, 'apps/tron-refunds/project.json');
    expect(project).toEqual({
      name: 'tron-refunds',
      $schema: '../../node_modules/nx/schemas/project-schema.json',
      projectType: 'application',
      sourceRoot: 'apps/tron-refunds/src',
      tags: ['phase:4', 'scope:tron', 'type:service'],
    });
    const dockerfile = tree.read('apps/tron-refunds/Dockerfile', 'utf-8')!;
    expect(dockerfile).toContain('ARG BASE_IMAGE=gcr.io/distroless/python3-debian12:nonroot');
    expect(dockerfile.match(/^COPY .*$/gm)).toEqual([
      'COPY libs/lucid-common/src/ /app/lib/',
      'COPY libs/tron-common/src/ /app/lib/',
      'COPY apps/tron-refunds/pyproject.toml apps/tron-refunds/src/ /app/service/',
      'COPY --from=assemble --chown=65532:65532 /app /app',
    ]);
    expect(dockerfile).not.toMatch(/^RUN /m);
    expect(tree.read('apps/tron-refunds/pyproject.toml', 'utf-8')).toContain(
      'version = "1.0.0"\ndescription = "TRON refund processing"',
    );
    expect(tree.read('apps/tron-refunds/src/main.py', 'utf-8')).toContain(
      'from lucid_common.service import run_service',
    );
    expect(tree.read('apps/tron-refunds/tests/test_main.py', 'utf-8')).toContain('("tron-refunds", "1.0.0", "ok")');
    expect(tree.read('apps/tron-refunds/Dockerfile.dockerignore', 'utf-8')).toContain('**/tests');
    expect(tree.exists('apps/tron-refunds/README.md')).toBe(true);
  });

  it('a scope without a <scope>-common library copies lucid-common only', async () => {
    const tree = workspace();
    await serviceGenerator(tree, { name: 'billing', phase: 2 });
    expect(readJson(tree, 'apps/billing/project.json').tags).toEqual(['phase:2', 'scope:billing', 'type:service']);
    expect(tree.read('apps/billing/Dockerfile', 'utf-8')!.match(/^COPY libs.*$/gm)).toEqual([
      'COPY libs/lucid-common/src/ /app/lib/',
    ]);
  });

  it('in a workspace without the Lucid libraries: every COPY source exists, and the service needs no library', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await serviceGenerator(tree, { name: 'hello', phase: 1 });
    const dockerfile = tree.read('apps/hello/Dockerfile', 'utf-8')!;
    const { contextSources } = parseDockerfile(dockerfile, 'apps/hello/Dockerfile');
    expect(contextSources.map((c) => c.path).sort()).toEqual(['apps/hello/pyproject.toml', 'apps/hello/src']);
    for (const c of contextSources) expect([c.path, tree.exists(c.path)]).toEqual([c.path, true]);
    for (const file of ['apps/hello/src/main.py', 'apps/hello/tests/test_main.py'])
      expect([file, tree.read(file, 'utf-8')]).toEqual([file, expect.not.stringMatching(/lucid_common|[Ll]ucid/)]);
    expect(dockerfile).toContain('SERVICE_PORT=8080');
  });

  it.each([
    ['Billing', /uppercase/],
    ['my service', /whitespace/],
    ['../escape', /path separator/],
    ['apps/x', /path separator/],
    ['1st-service', /starts with a digit/],
    ['-service', /starts with a dash/],
    ['a--b', /consecutive dashes/],
    ['bad_name', /characters other than/],
    ['auth-service', /a project named "auth-service" already exists/],
  ])('refuses the name %j and writes nothing', async (name, message) => {
    const tree = workspace();
    const before = tree.listChanges().length;
    await expect(serviceGenerator(tree, { name, phase: 1 })).rejects.toThrow(message);
    expect(tree.listChanges().length).toBe(before);
  });

  it.each([[0], [-1], [1.5], ['two']])('refuses phase %j and writes nothing', async (phase) => {
    const tree = workspace();
    const before = tree.listChanges().length;
    await expect(serviceGenerator(tree, { name: 'ok-name', phase })).rejects.toThrow(/phase/);
    expect(tree.listChanges().length).toBe(before);
  });

  it('regenerates existing workflows with their recorded options, so the new phase gets its shard', async () => {
    const tree = workspace();
    await ciGenerator(tree, { parallel: 2, sequentialPhases: true });
    await serviceGenerator(tree, { name: 'billing', phase: 5 });
    const wf = parse(tree.read(CONTAINERS, 'utf-8')!) as Wf;
    expect(Object.keys(wf.jobs).filter((j) => j.startsWith('push-'))).toEqual([
      'push-1',
      'push-2',
      'push-3',
      'push-4',
      'push-5',
      'push-untagged',
    ]);
    expect(wf.jobs['build-5'].needs).toEqual(['plan', 'isolation', 'push-4']);
    expect(wf.jobs['build-untagged'].needs).toEqual(['plan', 'isolation', 'push-5']);
  });
});

describe('init generator', () => {
  it('registers the plugin with defaults, once', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await initGenerator(tree, {});
    const once = tree.read('nx.json', 'utf-8');
    const entries = readNxJson(tree)!.plugins!.filter((p) => typeof p !== 'string' && p.plugin === '@lucid/nx-lucid');
    expect(entries).toEqual([{ plugin: '@lucid/nx-lucid', options: defaultPluginOptions() }]);
    expect(defaultPluginOptions()).toMatchObject({ registry: 'ghcr.io', phaseTagPrefix: 'phase:' });
    // No repository is written: the workspace's own is worked out when the graph is built (never Lucid's).
    expect(defaultPluginOptions()).not.toHaveProperty('repository');
    await initGenerator(tree, {});
    expect(tree.read('nx.json', 'utf-8')).toBe(once);
  });

  it('leaves an existing registration and other plugins alone', async () => {
    const tree = createTreeWithEmptyWorkspace();
    const mine = {
      plugin: '@lucid/nx-lucid',
      options: { registry: 'registry.example.com', platforms: ['linux/amd64'] },
    };
    updateNxJson(tree, { ...readNxJson(tree)!, plugins: ['@nx/js', mine] });
    const before = tree.read('nx.json', 'utf-8');
    await initGenerator(tree, { registry: 'ghcr.io' });
    expect(tree.read('nx.json', 'utf-8')).toBe(before);
    expect(readNxJson(tree)!.plugins).toEqual(['@nx/js', mine]);
  });

  it('registers with a custom registry and repository, and refuses invalid ones without writing', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await initGenerator(tree, { registry: 'registry.example.com:5000', repository: 'acme/shop' });
    expect(readNxJson(tree)!.plugins).toEqual([
      {
        plugin: '@lucid/nx-lucid',
        options: expect.objectContaining({ registry: 'registry.example.com:5000', repository: 'acme/shop' }),
      },
    ]);
    const t2 = createTreeWithEmptyWorkspace();
    const before = t2.read('nx.json', 'utf-8');
    await expect(initGenerator(t2, { repository: 'Acme/Shop' })).rejects.toThrow(/repository must be lowercase/);
    expect(t2.read('nx.json', 'utf-8')).toBe(before);
  });
});
