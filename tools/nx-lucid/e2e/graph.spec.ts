import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, ThrowawayWorkspace } from './support/workspace';

/**
 * The plugin loaded by real Nx in a throwaway workspace with one malformed Dockerfile:
 * the graph still works for everyone, the broken project's build fails naming the file and line.
 */
let ws: ThrowawayWorkspace;
const BAD =
  'FROM gcr.io/distroless/python3-debian12:nonroot\r\n# CRLF, as saved on Windows\r\nCOPY apps/broken/src\r\n';

beforeAll(async () => {
  ws = await createWorkspace({
    apps: ['auth-service', 'tron-staking'],
    libs: ['lucid-common', 'tron-common'],
    files: {
      'apps/broken/project.json': JSON.stringify({ name: 'broken', tags: ['phase:9'] }),
      'apps/broken/Dockerfile': BAD,
      'apps/broken/src/main.py': 'print("hi")\n',
    },
  });
});
afterAll(() => ws?.dispose());

describe('project graph with the plugin (real nx, throwaway workspace)', () => {
  it('nx show projects lists every project and warns about the broken Dockerfile with file and line', async () => {
    const r = await ws.nx(['show', 'projects']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(
      ['auth-service', 'broken', 'lucid-common', 'nx-lucid', 'tron-common', 'tron-staking'].sort(),
    );
    expect(r.stdout + r.stderr).toContain('apps/broken/Dockerfile:3: COPY needs at least one source and a destination');
  });

  it('the healthy services keep their inferred targets, inputs and graph edges', async () => {
    const r = await ws.nx(['show', 'project', 'tron-staking', '--json']);
    expect(r.exitCode).toBe(0);
    const project = JSON.parse(r.stdout);
    const build = project.targets['container-build'];
    expect(build.inputs).toEqual(
      expect.arrayContaining(['{workspaceRoot}/libs/tron-common/src/**/*', '!{workspaceRoot}/**/tests/**']),
    );
    expect(build.options.dockerfileError).toBeUndefined();

    const graphFile = join(ws.root, 'tmp', 'graph.json');
    expect((await ws.nx(['graph', `--file=${graphFile}`])).exitCode).toBe(0);
    const graph = JSON.parse(readFileSync(graphFile, 'utf8')).graph;
    const edges = (p: string) => graph.dependencies[p].map((d: { target: string }) => d.target).sort();
    expect(edges('tron-staking')).toEqual(['lucid-common', 'tron-common']);
    expect(edges('auth-service')).toEqual(['lucid-common']);
    expect(edges('broken')).toEqual([]);
  });

  it('the broken project carries the error into its build target', async () => {
    const r = await ws.nx(['show', 'project', 'broken', '--json']);
    expect(r.exitCode).toBe(0);
    const build = JSON.parse(r.stdout).targets['container-build'];
    expect(build.options.dockerfileError).toBe(
      'apps/broken/Dockerfile:3: COPY needs at least one source and a destination',
    );
  });

  it('nx run broken:container-build fails', async () => {
    const r = await ws.nx(['run', 'broken:container-build', '--skip-nx-cache']);
    expect(r.exitCode).not.toBe(0);
    // The build executor reports the Dockerfile error with file and line instead of building.
    expect(r.stdout + r.stderr).toContain('apps/broken/Dockerfile:3: COPY needs at least one source and a destination');
  });
});
