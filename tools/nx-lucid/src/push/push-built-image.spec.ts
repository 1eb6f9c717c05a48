import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeLayout, MadeLayout } from '../../e2e/support/make-layout';
import { PushOptions, pushBuiltImage } from './push-built-image';
import { pushOptions } from './testing/push-options';
import { DEFAULT_TAG_RULES } from '../config/tag-rules';
import { emptyRegistryDeps, emptyRegistryFetch } from '../registry/testing/empty-registry';

const options = (outputPath: string, over: Partial<PushOptions> = {}): PushOptions =>
  pushOptions(outputPath, { registry: 'registry.test:5000', insecureRegistries: ['registry.test:5000'], ...over });

describe('pushBuiltImage (the push use case)', () => {
  let made: MadeLayout;
  let requests: string[];
  const deps = (env: NodeJS.ProcessEnv = {}) => emptyRegistryDeps(() => requests, env);
  const request = (over: Partial<PushOptions> = {}, tags = ['phase:3']) => ({
    workspaceRoot: made.root,
    project: 'api',
    tags,
    options: options(made.outputPath, over),
    siblings: [],
  });

  beforeEach(() => {
    made = makeLayout({ project: 'api', version: '1.2.3' });
    requests = [];
  });
  afterEach(() => rmSync(made.root, { recursive: true, force: true }));

  it('--dry-run plans every blob and the phase, sha and version tags, and writes nothing', async () => {
    const result = await pushBuiltImage(request({ dryRun: true, releaseVersion: '1.2.3' }), deps());
    expect(result.blobs.uploaded).toBe(result.blobs.total);
    expect(result.tags).toEqual(expect.arrayContaining(['c'.repeat(40), `phase3-${'c'.repeat(40)}`, 'v1.2.3']));
    expect(requests.every((r) => r.startsWith('HEAD ') || r === 'GET /v2/')).toBe(true);
    expect(existsSync(join(made.root, made.outputPath, 'push.json'))).toBe(false);
  });

  it('an ordinary branch push creates no semver tag, even with a version in metadata.json (issue 16)', async () => {
    const result = await pushBuiltImage(request({ dryRun: true }), deps({ GITHUB_REF_NAME: 'feature/x' }));
    expect(result.tags).toEqual(['c'.repeat(40), `phase3-${'c'.repeat(40)}`]);
  });

  it('a release git tag (v1.2.3) is a release: the semver tag is applied', async () => {
    const env = { GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v1.2.3' };
    const result = await pushBuiltImage(request({ dryRun: true }), deps(env));
    expect(result.tags).toContain('v1.2.3');
  });

  it('configured tag rules replace the defaults (short sha, branch, pr-N); a pull request makes no branch tag', async () => {
    const tags = ['type=sha', { type: 'ref' as const, event: 'branch' as const }, 'type=ref,event=pr'];
    const pr = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF_NAME: '42/merge', GITHUB_REF: 'refs/pull/42/merge' };
    expect((await pushBuiltImage(request({ dryRun: true, tags }), deps(pr))).tags).toEqual(['pr-42', 'sha-ccccccc']);
    const branch = { GITHUB_REF_NAME: 'feature/x', GITHUB_REF: 'refs/heads/feature/x' };
    const onBranch = await pushBuiltImage(request({ dryRun: true, tags }), deps(branch));
    expect(onBranch.tags).toEqual(['feature-x', 'sha-ccccccc']);
  });

  it('--dry-run on a pull_request_target run: each tag with its rule, pr-<n> and no latest; the job summary untouched', async () => {
    const event = join(made.root, 'event.json');
    writeFileSync(event, JSON.stringify({ number: 15, pull_request: { number: 15, base: { ref: 'main' } } }));
    const summary = join(made.root, 'summary.md');
    const env = {
      GITHUB_EVENT_NAME: 'pull_request_target',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_EVENT_PATH: event,
      GITHUB_STEP_SUMMARY: summary,
    };
    const lines: string[] = [];
    const tags = [...DEFAULT_TAG_RULES, 'type=ref,event=pr', 'type=ref,event=branch'];
    const result = await pushBuiltImage(request({ dryRun: true, tags }), {
      ...deps(env),
      log: (l: string) => lines.push(l),
    });
    expect(result.tags).toEqual(['pr-15', 'c'.repeat(40), `phase3-${'c'.repeat(40)}`]);
    expect(lines).toContain('  + tag pr-15 ← type=ref,event=pr,prefix=pr-: pull request #15');
    expect(lines).toContain(`  + tag ${'c'.repeat(40)} ← type=sha,format=long,prefix=: git commit`);
    expect(lines).toContain('  - no tag from rule type=ref,event=branch: not a branch build');
    expect(lines).toContain('[dry-run] would append the pushed tags and digests to $GITHUB_STEP_SUMMARY');
    expect(existsSync(summary)).toBe(false);
  });

  describe('a version tag already naming another digest (immutability, issue 16)', () => {
    const OLD = `sha256:${'a'.repeat(64)}`;
    /** The empty registry, except that v1.2.3 names OLD; still any write is a test failure. */
    const registryWithV123 = (async (url: string | URL, init?: RequestInit) => {
      const path = new URL(String(url)).pathname;
      if ((init?.method ?? 'GET') === 'HEAD' && path === '/v2/hamigames/lucid/api/manifests/v1.2.3') {
        requests.push(`HEAD ${path}`);
        return new Response(null, {
          status: 200,
          headers: {
            'docker-content-digest': OLD,
            'content-type': 'application/vnd.oci.image.index.v1+json',
            'content-length': '300',
          },
        });
      }
      return emptyRegistryFetch(requests)(url, init);
    }) as typeof fetch;
    const depsV123 = (lines: string[]) => ({
      ...deps(),
      log: (l: string) => lines.push(l),
      client: { fetchImpl: registryWithV123 },
    });

    it('refuses before any blob, manifest or tag is written, naming the tag and both digests', async () => {
      const lines: string[] = [];
      const pushed = pushBuiltImage(request({ releaseVersion: '1.2.3' }), depsV123(lines));
      await expect(pushed).rejects.toThrow(
        new RegExp(
          `api:v1\\.2\\.3 already names ${OLD}; refusing to move it to ${made.metadata.index.digest}.*--force`,
        ),
      );
      expect(requests.every((r) => r.startsWith('HEAD /v2/hamigames/lucid/api/manifests/') || r === 'GET /v2/')).toBe(
        true,
      );
    });

    it('--force (dry-run here) goes ahead and logs the old digest', async () => {
      const lines: string[] = [];
      const result = await pushBuiltImage(
        request({ releaseVersion: '1.2.3', force: true, dryRun: true }),
        depsV123(lines),
      );
      expect(result.tags).toContain('v1.2.3');
      expect(lines.join('\n')).toMatch(
        new RegExp(`--force: version tag v1\\.2\\.3 would move from ${OLD} to ${result.digest}`),
      );
    });

    it('a branch push (no release) moves no version tag, so it is not refused', async () => {
      const result = await pushBuiltImage(request({ dryRun: true }), depsV123([]));
      expect(result.tags).not.toContain('v1.2.3');
    });
  });

  it('refuses a build output made for another project before the registry is touched', async () => {
    await expect(pushBuiltImage({ ...request(), project: 'web' }, deps())).rejects.toThrow(
      /was built for api, not web; rebuild/,
    );
    expect(requests).toEqual([]);
  });

  it('refuses metadata.json naming another index than the layout holds', async () => {
    const file = join(made.root, made.outputPath, 'metadata.json');
    writeFileSync(
      file,
      JSON.stringify({ ...made.metadata, index: { ...made.metadata.index, digest: `sha256:${'e'.repeat(64)}` } }),
    );
    await expect(pushBuiltImage(request(), deps())).rejects.toThrow(/but the OCI layout holds/);
    expect(requests).toEqual([]);
  });

  it('LUCID_REGISTRY set but empty is an error naming it, with no request made', async () => {
    await expect(pushBuiltImage(request(), deps({ LUCID_REGISTRY: '' }))).rejects.toThrow(
      /LUCID_REGISTRY is set but empty/,
    );
    expect(requests).toEqual([]);
  });
});
