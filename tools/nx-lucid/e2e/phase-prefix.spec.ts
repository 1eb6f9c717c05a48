/*
 * Real: a workspace whose service is tagged `stage:2` and whose nx.json sets `phaseTagPrefix: "stage:"` (issue 23:
 * the option used to stop at createNodes, so the image had no phase). `nx run <svc>:container-push` builds with
 * buildah (one platform, gate off: no scan) and pushes to a real local registry; the image carries the phase label,
 * metadata.json the phase, and the registry the phase2-<sha> tag. The same workspace's `nx run … --help` prints
 * every option of the push schema with its description (src/executors/option-docs.spec.ts checks every schema
 * through Nx's printer in-process; this is the real CLI resolving the installed package's schema).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../src/boundary/process';
import { PHASE_LABEL } from '../src/image/labels';
import { parseBuildMetadata } from '../src/artifacts/metadata';
import { pushTestBase } from './support/base-image';
import { skopeoTags } from './support/registry-check';
import { startRegistry, TestRegistry } from './support/registry';
import { createWorkspace, ThrowawayWorkspace, WORKSPACE_ROOT } from './support/workspace';
import pushSchema from '../src/nx/executors/push/schema.json';

const SERVICE = 'svc-stage';
const REPOSITORY = 'stage-test';

/** The real nx.json with the plugin told that `stage:` carries the phase. */
function nxJsonWithStagePrefix(): string {
  const nxJson = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'nx.json'), 'utf8'));
  const entry = nxJson.plugins.find((p: { plugin: string }) => p.plugin === '@lucid/nx-lucid');
  entry.options = { ...entry.options, phaseTagPrefix: 'stage:', platforms: ['linux/amd64'], gate: { enabled: false } };
  return `${JSON.stringify(nxJson, null, 2)}\n`;
}

const files: Record<string, string> = {
  'nx.json': nxJsonWithStagePrefix(),
  '.gitignore': 'node_modules\n.nx\ndist\ntmp\n__pycache__\n.lucid\n',
  [`apps/${SERVICE}/project.json`]: JSON.stringify({ name: SERVICE, tags: ['type:service', 'stage:2'] }),
  [`apps/${SERVICE}/pyproject.toml`]: `[project]\nname = "${SERVICE}"\nversion = "0.1.0"\n`,
  [`apps/${SERVICE}/src/main.py`]: `print("${SERVICE}")\n`,
  [`apps/${SERVICE}/Dockerfile`]: [
    'ARG BASE_IMAGE=gcr.io/lucid-test/base:1',
    'FROM scratch AS assemble',
    `COPY apps/${SERVICE}/src/ /app/`,
    'FROM ${BASE_IMAGE}',
    'COPY --from=assemble /app /app',
    'USER 65532:65532',
    '',
  ].join('\n'),
};

describe('phaseTagPrefix from nx.json reaches the build label and the pushed phase tag', () => {
  let registry: TestRegistry;
  let ws: ThrowawayWorkspace;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushTestBase(registry.host, 'mirror/gcr.io/lucid-test/base', '1', 'v1');
    ws = await createWorkspace({ files });
  });
  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
  });

  it('a service tagged stage:2 is built with phase 2 and pushed with phase2-<sha>', async () => {
    const env = {
      LUCID_ENGINE: 'buildah',
      LUCID_REGISTRY: registry.host,
      LUCID_REPOSITORY: REPOSITORY,
      LUCID_REGISTRY_MIRRORS: `gcr.io=${registry.host}/mirror/gcr.io`,
      LUCID_INSECURE_REGISTRIES: registry.host,
    };
    const r = await ws.nx(['run', `${SERVICE}:container-push`, '--outputStyle=static'], env);
    if (r.exitCode !== 0) throw new Error(`container-push failed (${r.exitCode}):\n${r.stdout}\n${r.stderr}`);

    const metadata = parseBuildMetadata(
      JSON.parse(readFileSync(join(ws.root, 'dist/containers', SERVICE, 'metadata.json'), 'utf8')),
    );
    expect(metadata.phase).toBe(2);
    const sha = await ws.git(['rev-parse', 'HEAD']);
    const image = `${REPOSITORY}/${SERVICE}`;
    expect(await skopeoTags(registry.host, image)).toContain(`phase2-${sha}`);
    const config = await runProcess('skopeo', [
      'inspect',
      '--config',
      '--tls-verify=false',
      `docker://${registry.host}/${image}:phase2-${sha}`,
    ]);
    expect(JSON.parse(config.stdout).config.Labels[PHASE_LABEL]).toBe('2');
  });

  it('`nx run <svc>:container-push --help` lists every push option with its description', async () => {
    const r = await ws.nx(['run', `${SERVICE}:container-push`, '--help']);
    const lines = `${r.stdout}`.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
    const properties = pushSchema.properties as unknown as Record<string, { description: string }>;
    for (const [key, { description }] of Object.entries(properties)) {
      // Nx wraps at 80 columns here (no terminal): the option's line starts its description.
      const line = lines.find((l) => l.trimStart().startsWith(`--${key} `));
      expect({ key, line: line?.includes(description.split(' ')[0]) }).toEqual({ key, line: true });
    }
    expect(r.stdout).not.toMatch(/undefined/);
  });
});
