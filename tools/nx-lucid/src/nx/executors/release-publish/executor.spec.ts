import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeLayout, MadeLayout } from '../../../../e2e/support/make-layout';
import { executorContext } from '../../../../e2e/support/registry-check';
import { runReleasePublish } from './executor';
import jsonSchema from './schema.json';
import { emptyRegistryDeps } from '../../../registry/testing/empty-registry';
const { validateOptsAgainstSchema } = require('nx/src/utils/params');

describe('nx-release-publish executor (fake registry: nothing there)', () => {
  let made: MadeLayout;
  let requests: string[];
  const deps = (env: NodeJS.ProcessEnv = {}) => emptyRegistryDeps(() => requests, env);
  const options = (over: Record<string, unknown> = {}) => ({
    outputPath: made.outputPath,
    registry: 'registry.test:5000',
    repository: 'hamigames/lucid',
    insecureRegistries: ['registry.test:5000'],
    sha: 'c'.repeat(40),
    retries: 0,
    ...over,
  });
  const publish = (over: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) =>
    runReleasePublish(options(over), executorContext(made.root, 'api'), deps(env));
  const onlyReads = () => requests.every((r) => r.startsWith('HEAD ') || r === 'GET /v2/');

  beforeEach(() => {
    made = makeLayout({ project: 'api', version: '1.1.0' });
    mkdirSync(join(made.root, 'apps/api'), { recursive: true });
    writeFileSync(join(made.root, 'apps/api/pyproject.toml'), '[project]\nname = "api"\nversion = "1.1.0"\n');
    requests = [];
  });
  afterEach(() => rmSync(made.root, { recursive: true, force: true }));

  it('--dryRun plans the release tag from nxReleaseVersionData and only reads the registry', async () => {
    const versionData = { api: { currentVersion: '1.0.0', newVersion: '1.1.0', dependentProjects: [] } };
    const out = await publish({ dryRun: true, nxReleaseVersionData: versionData, firstRelease: true });
    expect(out).toMatchObject({ published: true, version: '1.1.0' });
    if (out.published) expect(out.result.tags).toEqual(expect.arrayContaining(['v1.1.0', 'c'.repeat(40)]));
    expect(onlyReads()).toBe(true);
  });

  it('NX_DRY_RUN=true (set by nx release for indirect publish tasks) is a dry run too', async () => {
    const out = await publish({}, { NX_DRY_RUN: 'true' });
    expect(out).toMatchObject({ published: true, version: '1.1.0' });
    expect(onlyReads()).toBe(true);
  });

  it('NX_DRY_RUN before any build (nx release --dry-run: the build only planned) plans the tags without a digest', async () => {
    rmSync(join(made.root, made.outputPath, 'metadata.json'));
    const lines: string[] = [];
    const versionData = { api: { currentVersion: '1.0.0', newVersion: '1.2.0' } };
    const out = await runReleasePublish(
      options({ nxReleaseVersionData: versionData }),
      executorContext(made.root, 'api'),
      { ...deps({ NX_DRY_RUN: 'true' }), log: (l: string) => lines.push(l) },
    );
    expect(out).toMatchObject({ published: false, reason: expect.stringMatching(/^dry run: 1\.2\.0 not built yet/) });
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\[dry-run\] would push registry\.test:5000\/hamigames\/lucid\/api \(built from 1\.2\.0\) tags: .*v1\.2\.0/,
      ),
    );
    expect(requests).toEqual([]);
  });

  it('publishes nothing for a project nx release did not version', async () => {
    const out = await publish({ nxReleaseVersionData: { api: { currentVersion: '1.1.0', newVersion: null } } });
    expect(out).toEqual({ published: false, reason: 'nx release found no new version for api' });
    expect(requests).toEqual([]);
  });

  it('refuses a build output made from another version before the registry is touched', async () => {
    const versionData = { api: { currentVersion: '1.1.0', newVersion: '1.2.0' } };
    await expect(publish({ nxReleaseVersionData: versionData })).rejects.toThrow(/built from version 1.1.0, not 1.2.0/);
    expect(requests).toEqual([]);
  });

  it('refuses npm-only and unknown options with a clear error', async () => {
    await expect(publish({ tag: 'next' })).rejects.toThrow(/npm dist-tag/);
    await expect(publish({ releaseVersion: '9.9.9' })).rejects.toThrow(/releaseVersion/);
    expect(requests).toEqual([]);
  });

  it('schema.json (what Nx validates options with first) accepts the VersionData nx release passes', () => {
    const nxReleaseVersionData = {
      api: {
        currentVersion: '1.0.0',
        newVersion: '1.1.0',
        dockerVersion: null,
        dependentProjects: [{ source: 'web', target: 'api', type: 'static', rawVersionSpec: '1.0.0' }],
      },
      web: { currentVersion: '2.0.0', newVersion: null, dependentProjects: [] },
    };
    expect(() =>
      validateOptsAgainstSchema(
        { outputPath: 'dist/containers/api', nxReleaseVersionData, firstRelease: true, dryRun: true },
        jsonSchema,
      ),
    ).not.toThrow();
  });
});
