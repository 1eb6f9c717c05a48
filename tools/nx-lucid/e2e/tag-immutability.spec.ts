/**
 * Version tags are immutable (issue 16), against a real registry (docker-registry on 127.0.0.1), checked
 * with skopeo and the registry's own storage: a feature-branch push never creates or moves a semver tag; a
 * second release of a version to another digest (container-push or container-release create) fails and
 * leaves the registry unchanged (tags, digests, catalog, blobs); --force moves it and logs the old digest,
 * and container-release keeps an audit line per change in release.json. Build outputs are made by
 * make-layout (random layers: each one a different index digest), no builder needed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, readArtifact } from '../src/artifacts/artifacts';
import { runPush } from '../src/nx/executors/push/executor';
import { runRelease } from '../src/nx/executors/release/executor';
import { makeLayout, MadeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';
import { catalog, executorContext, registryState, skopeoManifest, skopeoTags } from './support/registry-check';

const PROJECT = 'orders';
const REPO = `hamigames/lucid/${PROJECT}`;
const SHA_A = 'a'.repeat(40);
const SHA_F = 'f'.repeat(40);
const SHA_B = 'b'.repeat(40);
/** No CI ref, no tokens: each test says which branch or ref it runs on. */
const baseEnv = {
  GITHUB_SHA: undefined,
  GITHUB_REF: undefined,
  GITHUB_REF_NAME: undefined,
  GITHUB_REF_TYPE: undefined,
  GHCR_TOKEN: undefined,
  GITHUB_TOKEN: undefined,
};
const SEMVERISH = /^v?\d+(\.\d+){0,2}(-.*)?$/;

/** Every blob file the registry stores (its filesystem driver): nothing may be uploaded by a refused push. */
function storedBlobs(dataDir: string): string[] {
  const root = join(dataDir, 'data/docker/registry/v2/blobs');
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true }) as string[]).filter((p) => p.endsWith('/data')).sort();
}

describe('version tags are immutable (real registry)', () => {
  let reg: TestRegistry;
  let releasedA: MadeLayout;
  let feature: MadeLayout;
  let secondBuild: MadeLayout;

  const push = (made: MadeLayout, extra: Record<string, unknown>, env: Record<string, string>, lines: string[] = []) =>
    runPush(
      { outputPath: made.outputPath, registry: reg.host, repository: 'hamigames/lucid', ...extra },
      executorContext(made.root, PROJECT, { tags: ['phase:2'] }),
      { env: { ...baseEnv, ...env }, log: (l) => lines.push(l) },
    );
  const release = (o: Record<string, unknown>, lines: string[] = []) =>
    runRelease(
      { registry: reg.host, repository: 'hamigames/lucid', outputPath: releasedA.outputPath, ...o },
      executorContext(releasedA.root, PROJECT),
      { env: baseEnv, log: (l) => lines.push(l) },
    );
  const digestOf = async (tag: string) => (await skopeoManifest(reg.host, `${REPO}:${tag}`)).digest;
  const snapshot = async () => ({
    state: await registryState(reg.host, reg.url),
    catalog: await catalog(reg.url),
    blobs: storedBlobs(reg.dataDir),
  });

  beforeAll(async () => {
    reg = await startRegistry();
    // Three builds of the same project, all at pyproject version 1.0.0.
    releasedA = makeLayout({ project: PROJECT, version: '1.0.0', gitSha: SHA_A });
    feature = makeLayout({ project: PROJECT, version: '1.0.0', gitSha: SHA_F });
    secondBuild = makeLayout({ project: PROJECT, version: '1.0.0', gitSha: SHA_B });
  });
  afterAll(async () => reg?.stop());

  it('a feature-branch push never creates or moves a semver tag', async () => {
    // Before any release: the branch push creates only its commit tags.
    const first = await push(feature, { sha: SHA_F }, { GITHUB_REF_NAME: 'feature/x', GITHUB_REF_TYPE: 'branch' });
    expect(first.tags).toEqual([SHA_F, `phase2-${SHA_F}`]);
    expect((await skopeoTags(reg.host, REPO)).filter((t) => SEMVERISH.test(t))).toEqual([]);

    // Release A as 1.0.0 from main (an explicit release), then the feature branch pushes again.
    const rel = await push(releasedA, { sha: SHA_A, releaseVersion: '1.0.0' }, { GITHUB_REF_NAME: 'main' });
    expect(rel.tags).toEqual(expect.arrayContaining(['v1.0.0', 'latest']));
    const again = makeLayout({ project: PROJECT, version: '1.0.0', gitSha: SHA_F });
    const lines: string[] = [];
    const second = await push(
      again,
      { sha: SHA_F },
      { GITHUB_REF_NAME: 'feature/x', GITHUB_REF_TYPE: 'branch', GITHUB_SHA: SHA_F },
      lines,
    );
    expect(second.digest).not.toBe(releasedA.metadata.index.digest);
    expect(second.tags).not.toContain('v1.0.0');
    expect(lines.join('\n')).toMatch(/no tag from rule type=semver,pattern=\{\{version\}\}.*: not a release/);
    const tags = await skopeoTags(reg.host, REPO);
    expect(tags.filter((t) => SEMVERISH.test(t))).toEqual(['v1.0.0']);
    expect(await digestOf('v1.0.0')).toBe(releasedA.metadata.index.digest);
    expect(await digestOf('latest')).toBe(releasedA.metadata.index.digest);
    // The feature build's commit tags moved to it: that is normal.
    expect(await digestOf(SHA_F)).toBe(again.metadata.index.digest);
    feature = again;
  });

  it('a second release of 1.0.0 to another digest fails, naming both digests, and leaves the registry unchanged', async () => {
    const A = releasedA.metadata.index.digest;
    const B = secondBuild.metadata.index.digest;
    const before = await snapshot();
    expect(before.blobs.length).toBeGreaterThan(0);
    const refusal = new RegExp(`${REPO}:v1\\.0\\.0 already names ${A}; refusing to move it to ${B}.*--force`);
    for (const dryRun of [true, false]) {
      await expect(
        push(secondBuild, { sha: SHA_B, releaseVersion: '1.0.0', dryRun }, { GITHUB_REF_NAME: 'main' }),
      ).rejects.toThrow(refusal);
    }
    // The same release from a git tag build (refs/tags/v1.0.0).
    await expect(
      push(secondBuild, { sha: SHA_B }, { GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v1.0.0' }),
    ).rejects.toThrow(refusal);
    // container-release create v1.0.0 from the feature build's digest.
    const F = feature.metadata.index.digest;
    await expect(release({ action: 'create', version: 'v1.0.0', from: SHA_F })).rejects.toThrow(
      new RegExp(`v1\\.0\\.0 already exists in .* and names ${A}, not ${F}; versions are immutable`),
    );
    expect(await snapshot()).toEqual(before);
    expect(await digestOf('v1.0.0')).toBe(A);
    expect(existsSync(join(secondBuild.root, secondBuild.outputPath, 'push.json'))).toBe(false);
    expect(readArtifact(join(releasedA.root, releasedA.outputPath), ARTIFACTS.release)).toBeUndefined();
  });

  it('--force moves it and logs the old digest; container-release prints before → after and audits each change', async () => {
    const A = releasedA.metadata.index.digest;
    const B = secondBuild.metadata.index.digest;
    const F = feature.metadata.index.digest;
    const lines: string[] = [];
    await push(secondBuild, { sha: SHA_B, releaseVersion: '1.0.0', force: true }, { GITHUB_REF_NAME: 'main' }, lines);
    expect(lines.join('\n')).toContain(`--force: version tag v1.0.0 moves from ${A} to ${B} (old digest ${A})`);
    expect(await digestOf('v1.0.0')).toBe(B);

    // The dry-run prints exactly the move and changes nothing.
    const before = await snapshot();
    const dry: string[] = [];
    await release({ action: 'create', version: 'v1.0.0', from: SHA_F, force: true, dryRun: true }, dry);
    expect(dry).toContain(
      `  [dry-run] would change ${reg.host}/${REPO}:v1.0.0: ${B} → ${F} (--force; old digest ${B})`,
    );
    expect(await snapshot()).toEqual(before);
    expect(readArtifact(join(releasedA.root, releasedA.outputPath), ARTIFACTS.release)).toBeUndefined();

    const out: string[] = [];
    await release({ action: 'create', version: 'v1.0.0', from: SHA_F, force: true }, out);
    expect(out).toContain(`  changing ${reg.host}/${REPO}:v1.0.0: ${B} → ${F} (--force; old digest ${B})`);
    expect(await digestOf('v1.0.0')).toBe(F);
    await release({ action: 'promote', version: 'v1.0.0' }, out);
    expect(out).toContain(`  changing ${reg.host}/${REPO}:latest: ${B} → ${F}`);
    expect(await digestOf('latest')).toBe(F);

    const record = readArtifact(join(releasedA.root, releasedA.outputPath), ARTIFACTS.release);
    expect(record?.changes.map(({ at: _at, ...c }) => c)).toEqual([
      { action: 'create', image: `${reg.host}/${REPO}`, tag: 'v1.0.0', before: B, after: F, forced: true },
      { action: 'promote', image: `${reg.host}/${REPO}`, tag: 'latest', before: B, after: F, forced: false },
    ]);
  });
  it('latest=auto: a release takes latest only when it is the highest version the repository has', async () => {
    const rules = [
      { type: 'sha', format: 'long', prefix: '' },
      { type: 'semver', pattern: '{{version}}', prefix: 'v' },
      { type: 'semver', pattern: '{{major}}', prefix: 'v' },
      { type: 'latest', when: 'auto' },
    ];
    const latestBefore = await digestOf('latest');
    const hotfix = makeLayout({ project: PROJECT, version: '0.9.1' });
    const lines: string[] = [];
    const old = await push(hotfix, { sha: '9'.repeat(40), releaseVersion: '0.9.1', tags: rules }, {}, lines);
    // 0.9.1 is below v1.0.0: no latest, and {{major}} is never tagged for 0.x.
    expect(old.tags).toEqual(['v0.9.1', '9'.repeat(40)]);
    expect(lines.join('\n')).toMatch(/latest=auto: 0\.9\.1 is not the highest version/);
    expect(await digestOf('latest')).toBe(latestBefore);

    const next = makeLayout({ project: PROJECT, version: '2.0.0' });
    const newer = await push(next, { sha: '2'.repeat(40), releaseVersion: '2.0.0', tags: rules }, {});
    expect(newer.tags).toEqual(['v2.0.0', 'v2', '2'.repeat(40), 'latest']);
    expect(await digestOf('latest')).toBe(next.metadata.index.digest);
    expect(await digestOf('v2')).toBe(next.metadata.index.digest);
  });
});
