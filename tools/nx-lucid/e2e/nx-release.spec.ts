/*
 * Real: `nx release` in a throwaway workspace with one fixture service (buildah, two platforms, base in a local
 * docker-registry). The service is versioned from its pyproject.toml by the plugin's VersionActions, and its
 * nx-release-publish target (after container-build and scan; a stand-in trivy replays a clean real report) pushes
 * the built image by digest with the release tags. `--dry-run` changes nothing and builds nothing: no commit, no git
 * tag, no CHANGELOG.md, the same pyproject.toml, the same registry; its build and scan tasks only plan. Then a
 * real release commits and tags locally (no remote), writes the project's CHANGELOG.md and publishes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBuildMetadata } from '../src/artifacts/metadata';
import { TRIVY_FIXTURES } from '../src/scan/test-support';
import { pushTestBase } from './support/base-image';
import { fakeTrivyBin } from './support/fake-trivy-bin';
import { startRegistry, TestRegistry } from './support/registry';
import { registryState, skopeoManifest, skopeoTags } from './support/registry-check';
import { createWorkspace, ThrowawayWorkspace, WORKSPACE_ROOT } from './support/workspace';

const SERVICE = 'svc-rel';
const PYPROJECT = `apps/${SERVICE}/pyproject.toml`;
const REPOSITORY = 'rel-test';

/** nx.json of the real workspace, its release configuration as it is (the README documents it); no git push. */
function nxJsonWithRelease(): string {
  const nxJson = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'nx.json'), 'utf8'));
  nxJson.release = { ...nxJson.release, git: { push: false } };
  return `${JSON.stringify(nxJson, null, 2)}\n`;
}

const files: Record<string, string> = {
  'nx.json': nxJsonWithRelease(),
  // .lucid/ holds the scanner cache and upload state (ignored in the real repository too).
  '.gitignore': 'node_modules\n.nx\ndist\ntmp\n__pycache__\n.lucid\n',
  [`apps/${SERVICE}/project.json`]: JSON.stringify({ name: SERVICE, tags: ['type:service', 'phase:1'] }),
  [PYPROJECT]: `[project]\nname = "${SERVICE}"\nversion = "1.0.0"  # nx release writes this\ndescription = "Fixture"\n`,
  [`apps/${SERVICE}/src/main.py`]: `print("${SERVICE}")\n`,
  [`apps/${SERVICE}/Dockerfile`]: [
    'ARG BASE_IMAGE=gcr.io/lucid-test/base:1',
    'FROM scratch AS assemble',
    `COPY apps/${SERVICE}/pyproject.toml apps/${SERVICE}/src/ /app/`,
    'FROM ${BASE_IMAGE}',
    'COPY --from=assemble /app /app',
    'USER 65532:65532',
    '',
  ].join('\n'),
};

describe('nx release: pyproject versions, images published by digest', () => {
  let registry: TestRegistry;
  let ws: ThrowawayWorkspace;
  let env: NodeJS.ProcessEnv;
  const image = `${REPOSITORY}/${SERVICE}`;
  const release = async (args: string[]) => {
    const r = await ws.nx(['release', ...args, '--yes', '--first-release'], env);
    const out = `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
    if (r.exitCode !== 0) throw new Error(`nx release ${args.join(' ')} failed (${r.exitCode}):\n${out}`);
    return out;
  };
  const gitState = async () => ({
    head: await ws.git(['rev-parse', 'HEAD']),
    tags: await ws.git(['tag', '--list']),
    status: await ws.git(['status', '--porcelain']),
  });
  const pyproject = () => readFileSync(join(ws.root, PYPROJECT), 'utf8');
  const metadata = () =>
    parseBuildMetadata(JSON.parse(readFileSync(join(ws.root, 'dist/containers', SERVICE, 'metadata.json'), 'utf8')));

  beforeAll(async () => {
    registry = await startRegistry();
    await pushTestBase(registry.host, 'mirror/gcr.io/lucid-test/base', '1', 'v1');
    ws = await createWorkspace({ files });
    // nx release commits and tags: the repository needs an identity (and no signing) of its own.
    for (const [k, v] of [
      ['user.name', 'lucid-test'],
      ['user.email', 'test@lucid.invalid'],
      ['commit.gpgsign', 'false'],
      ['tag.gpgsign', 'false'],
    ])
      await ws.git(['config', k, v]);
    const trivyReport = join(TRIVY_FIXTURES, 'engine-ci-alpine-no-vulns.json');
    env = {
      PATH: `${fakeTrivyBin({ FAKE_TRIVY_REPORT: trivyReport })}:${process.env.PATH}`,
      LUCID_ENGINE: 'buildah',
      LUCID_REGISTRY: registry.host,
      LUCID_REPOSITORY: REPOSITORY,
      LUCID_REGISTRY_MIRRORS: `gcr.io=${registry.host}/mirror/gcr.io`,
      LUCID_INSECURE_REGISTRIES: registry.host,
    };
  });
  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
  });

  it('--dry-run plans the version, the changelog and the publish without building or scanning; changes nothing', async () => {
    const git = await gitState();
    const before = await registryState(registry.host, registry.url);
    const out = await release(['1.1.0', '--dry-run']);
    expect(out).toMatch(new RegExp(`New version 1.1.0 written to apps/${SERVICE}/pyproject.toml`));
    // Project changelogs are on (nx.json): the dry run previews the entry it would write.
    expect(out).toMatch(new RegExp(`Previewing an entry in apps/${SERVICE}/CHANGELOG.md`));
    expect(out).toMatch(new RegExp(`CREATE apps/${SERVICE}/CHANGELOG.md \\[dry-run\\]`));
    // The build and scan tasks the publish depends on ran as plans (NX_DRY_RUN): no builder, no Trivy, no output.
    expect(out).toMatch(new RegExp(`nx run ${SERVICE}:container-build`));
    expect(out).toMatch(new RegExp(`\\[dry-run\\] ${SERVICE}: would run`));
    expect(out).toMatch(/nothing was built/);
    expect(out).toMatch(new RegExp(`nx run ${SERVICE}:scan`));
    expect(out).toMatch(new RegExp(`dry run: would scan dist/containers/${SERVICE}/oci \\(not built yet\\)`));
    expect(existsSync(join(ws.root, 'dist/containers', SERVICE, 'metadata.json'))).toBe(false);
    expect(existsSync(join(ws.root, 'dist/containers', SERVICE, 'scan'))).toBe(false);
    expect(out).toMatch(/\[dry-run\] release 1\.1\.0 \(from nx-release\)/);
    expect(out).toMatch(
      new RegExp(`\\[dry-run\\] would push ${registry.host}/${image} \\(built from 1\\.1\\.0\\) tags: .*v1\\.1\\.0`),
    );
    expect(pyproject()).toMatch(/^version = "1\.0\.0" {2}# nx release writes this$/m);
    expect(existsSync(join(ws.root, 'apps', SERVICE, 'CHANGELOG.md'))).toBe(false);
    expect(await gitState()).toEqual(git);
    expect(await registryState(registry.host, registry.url)).toEqual(before);
  });

  it('a real release versions pyproject.toml, commits and tags locally, and publishes the built index by digest', async () => {
    const out = await release(['1.1.0']);
    expect(pyproject()).toMatch(/^version = "1\.1\.0" {2}# nx release writes this$/m);
    expect(await ws.git(['tag', '--list'])).toBe(`${SERVICE}@1.1.0`);
    expect(await ws.git(['show', '--name-only', '--format=%s', 'HEAD'])).toMatch(new RegExp(`${PYPROJECT}`));
    expect(readFileSync(join(ws.root, 'apps', SERVICE, 'CHANGELOG.md'), 'utf8')).toMatch(/1\.1\.0/);
    expect(await ws.git(['status', '--porcelain'])).toBe('');

    // The image published is the build output of the released commit: built from 1.1.0, both platforms.
    const built = metadata();
    expect(built.version).toBe('1.1.0');
    expect(out).toMatch(new RegExp(`pushed ${registry.host}/${image}@${built.index.digest} tags: .*v1\\.1\\.0`));
    expect(await skopeoTags(registry.host, image)).toContain('v1.1.0');
    const { digest, manifest } = await skopeoManifest(registry.host, `${image}:v1.1.0`);
    expect(digest).toBe(built.index.digest);
    expect(manifest.manifests?.map((m) => `${m.platform?.os}/${m.platform?.architecture}`).sort()).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
  });

  it('one service: versioned with --projects --skip-publish, then nx-release-publish builds, scans and tags it; a re-publish only finds what is there', async () => {
    const v110 = (await skopeoManifest(registry.host, `${image}:v1.1.0`)).digest;
    const versioned = await ws.nx(['release', '1.2.0', `--projects=${SERVICE}`, '--skip-publish'], env);
    expect(versioned.exitCode).toBe(0);
    expect((await ws.git(['tag', '--list'])).split('\n')).toEqual([`${SERVICE}@1.1.0`, `${SERVICE}@1.2.0`]);

    const published = await ws.nx(['run', `${SERVICE}:nx-release-publish`, '--outputStyle=static'], env);
    const out = `${published.stdout}\n${published.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
    expect([published.exitCode, out]).toEqual([0, expect.stringMatching(/release 1\.2\.0 \(from pyproject\)/)]);
    expect(out).toMatch(new RegExp(`nx run ${SERVICE}:scan`));
    const built = metadata();
    expect(built.version).toBe('1.2.0');
    expect((await skopeoManifest(registry.host, `${image}:v1.2.0`)).digest).toBe(built.index.digest);
    expect((await skopeoManifest(registry.host, `${image}:v1.1.0`)).digest).toBe(v110);

    // `nx release publish` of the same version again: everything is in the registry, so nothing is uploaded.
    const state = await registryState(registry.host, registry.url);
    const again = await ws.nx(['release', 'publish', `--projects=${SERVICE}`], env);
    const againOut = `${again.stdout}\n${again.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
    expect([again.exitCode, againOut]).toEqual([0, expect.stringMatching(/blobs: 0 uploaded \(0 B\)/)]);
    expect(await registryState(registry.host, registry.url)).toEqual(state);
  });
});
