import { logger } from '@nx/devkit';
import type { CreateDependenciesContext, CreateNodesContext } from '@nx/devkit';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { minimatch } from 'minimatch';
import { createNodes } from './create-nodes';
import { createDependencies } from './create-dependencies';
import { PLUGIN_GLOB } from './dockerfile-files';

const FILES: Record<string, string> = {
  'svc/project.json': '{"name":"svc-a"}',
  'svc/Dockerfile': 'FROM scratch\nCOPY svc/src /src\n',
  'sessions/Dockerfile.api': 'FROM scratch\n',
  'infra/sessions/Dockerfile.api': 'FROM scratch\n',
  'gui/Dockerfile.gui': 'FROM scratch\n',
  'gui/Dockerfile copy.gui': 'FROM scratch\n',
  'admin/dockerfile.admin-overlord': 'FROM scratch\n',
  'x/worker.Dockerfile': 'FROM scratch\n',
  'node_modules/p/Dockerfile': 'FROM scratch\n',
  'ref/Dockerfile.api.ref': 'FROM scratch\n',
  'docs/Dockerfile.md': '# notes\n',
  'svc/Dockerfile.dockerignore': '*.md\n',
  // Compose: context relative to the compose file, dockerfile relative to the context, `..` clamped in COPY.
  'deploy/docker-compose.yml': [
    'x-args: &args',
    '  A: "1"',
    'services:',
    '  two:',
    '    build:',
    '      context: ../svc2',
    '      dockerfile: Dockerfile.svc2',
    '      args:',
    '        <<: *args',
    '        TARGETPLATFORM: linux/arm64',
    '        B: ${X:-d}',
    '        C: ${NOPE}',
    '  gone:',
    '    build: { context: .., dockerfile: missing/Dockerfile }',
    '',
  ].join('\n'),
  'svc2/Dockerfile.svc2': 'FROM scratch\nCOPY ../../etc/app.conf /x\nCOPY . /app\n',
  'svc2/etc/app.conf': '',
};

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lucid-infer-'));
  for (const [file, content] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The files Nx hands createNodes: those matching the plugin glob. */
const matched = () => Object.keys(FILES).filter((f) => minimatch(f, PLUGIN_GLOB, { dot: true }));

async function nodes(options: Record<string, unknown> = {}) {
  const context: CreateNodesContext = { nxJsonConfiguration: {}, workspaceRoot: root };
  const results = await createNodes[1](matched(), options, context);
  return Object.fromEntries(results.flatMap(([, r]) => Object.values(r.projects!)).map((p) => [p.name!, p]));
}

describe('inference: one project per Dockerfile, each named', () => {
  it('Dockerfile, Dockerfile.<name>, <name>.Dockerfile, dockerfile.<name>; copies, refs, notes, ignore files and node_modules skipped', async () => {
    const byName = await nodes();
    expect(Object.fromEntries(Object.entries(byName).map(([n, p]) => [n, p.root]))).toEqual({
      'svc-a': 'svc',
      'sessions-api': 'sessions/Dockerfile.api',
      'infra-sessions-api': 'infra/sessions/Dockerfile.api',
      gui: 'gui/Dockerfile.gui',
      'admin-overlord': 'admin/dockerfile.admin-overlord',
      worker: 'x/worker.Dockerfile',
      svc2: 'svc2/Dockerfile.svc2',
    });
    expect(Object.values(byName).every((p) => typeof p.name === 'string' && p.name.length > 0)).toBe(true);
  });

  it('the skip list is an option', async () => {
    const byName = await nodes({ skipDockerfiles: ['**/gui/**'] });
    expect(byName.gui).toBeUndefined();
    expect(Object.values(byName).map((p) => p.root)).toEqual(
      expect.arrayContaining(['node_modules/p', 'ref/Dockerfile.api.ref']),
    );
  });

  it('names and tags from the projects option win; the others stay unique around them', async () => {
    const byName = await nodes({ projects: { 'gui/Dockerfile.gui': { name: 'worker', tags: ['phase:3'] } } });
    expect(byName.worker.root).toBe('gui/Dockerfile.gui');
    expect(byName.worker.tags).toEqual(['phase:3']);
    expect(byName['x-worker'].root).toBe('x/worker.Dockerfile');
  });
});

describe('build context per project', () => {
  it('from the compose build block: context, COPY sources resolved in it with `..` clamped, build args', async () => {
    const build = (await nodes()).svc2.targets!['container-build'];
    expect(build.options).toMatchObject({
      dockerfile: 'svc2/Dockerfile.svc2',
      context: 'svc2',
      buildArgs: { A: '1', B: 'd' },
    });
    expect(build.inputs!.filter((i) => typeof i === 'string')).toEqual([
      '{workspaceRoot}/svc2/Dockerfile.svc2',
      // A folder is everything below it, a file itself.
      '{workspaceRoot}/svc2/**/*',
      '{workspaceRoot}/svc2/etc/app.conf',
    ]);
  });

  it('the workspace root by default, a projects entry over compose, and buildContext as the default', async () => {
    expect((await nodes()).gui.targets!['container-build'].options.context).toBe('.');
    const configured = await nodes({
      buildContext: 'gui',
      projects: { 'svc2/Dockerfile.svc2': { context: 'svc2/etc', buildArgs: { B: 'x' } } },
    });
    expect(configured.gui.targets!['container-build'].options.context).toBe('gui');
    expect(configured.svc2.targets!['container-build'].options).toMatchObject({
      context: 'svc2/etc',
      buildArgs: { A: '1', B: 'x' },
    });
  });
});

describe('a cycle made by Dockerfile edges', () => {
  const cyclic = { 'a/Dockerfile': 'FROM scratch\nCOPY b/x /x\n', 'b/Dockerfile': 'FROM scratch\nCOPY a/y /y\n' };
  let ws: string;
  beforeAll(() => {
    ws = mkdtempSync(join(tmpdir(), 'lucid-cycle-'));
    for (const [file, content] of Object.entries(cyclic)) {
      mkdirSync(dirname(join(ws, file)), { recursive: true });
      writeFileSync(join(ws, file), content);
    }
  });
  afterAll(() => rmSync(ws, { recursive: true, force: true }));

  async function graph(options: Record<string, unknown>) {
    const results = await createNodes[1](Object.keys(cyclic), options, { nxJsonConfiguration: {}, workspaceRoot: ws });
    const projects = Object.fromEntries(
      results.flatMap(([, r]) => Object.values(r.projects!)).map((p) => [p.name!, p]),
    );
    const warnings: string[] = [];
    const warn = jest.spyOn(logger, 'warn').mockImplementation((m: unknown) => void warnings.push(String(m)));
    try {
      const context = {
        projects,
        workspaceRoot: ws,
        nxJsonConfiguration: {},
        externalNodes: {},
      } as unknown as CreateDependenciesContext;
      return { projects, deps: await createDependencies(options, context), warnings };
    } finally {
      warn.mockRestore();
    }
  }

  it('is reported with the projects, the COPY lines and the settings that break it', async () => {
    const { warnings } = await graph({});
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('cycle: a -> b -> a');
    expect(warnings[0]).toContain('a -> b: a/Dockerfile:2: COPY b/x reads files of b (root b)');
    expect(warnings[0]).toContain('b -> a: b/Dockerfile:2: COPY a/y reads files of a (root a)');
    expect(warnings[0]).toContain('options.projects["a/Dockerfile"]');
    expect(warnings[0]).toContain('"waitForCopiedProjects": false');
  });

  it('waitForCopiedProjects: false keeps the edge for affected but not the task dependency', async () => {
    const { projects, deps, warnings } = await graph({
      projects: { 'a/Dockerfile': { waitForCopiedProjects: false } },
    });
    expect(warnings).toEqual([]);
    expect(deps.map((d) => `${d.source}->${d.target}`).sort()).toEqual(['a->b', 'b->a']);
    expect(projects.a.targets!['container-build'].dependsOn).toEqual([]);
    expect(projects.b.targets!['container-build'].dependsOn).toEqual(['^container-build']);
  });
});
