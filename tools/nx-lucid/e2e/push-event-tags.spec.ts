/**
 * Tags from GitHub events and PEP 440 releases, as docker/metadata-action computes them, pushed to a real
 * registry (docker-registry on 127.0.0.1) and read back with skopeo: a pull_request and a pull_request_target
 * run (event payload files at GITHUB_EVENT_PATH) make pr-<n> and the sha tags and never latest or a branch tag;
 * a PEP 440 release makes the action's version tags, and a pre-release moves no floating tag and no latest.
 * The build outputs are made by make-layout (no builder).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TAG_RULES } from '../src/config/tag-rules';
import { runPush } from '../src/nx/executors/push/executor';
import { makeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';
import { executorContext, skopeoManifest, skopeoTags } from './support/registry-check';

const MERGE_SHA = '1111111111111111111111111111111111111111';
const BASE_SHA = '2222222222222222222222222222222222222222';
const RELEASE_SHA = '3333333333333333333333333333333333333333';
const NO_GITHUB = {
  GITHUB_SHA: undefined,
  GITHUB_REF: undefined,
  GITHUB_REF_NAME: undefined,
  GITHUB_TOKEN: undefined,
  GHCR_TOKEN: undefined,
};

/** A pull request event payload, the fields GitHub sends that the tag logic reads. */
const prPayload = (n: number) => ({
  action: 'opened',
  number: n,
  repository: { default_branch: 'main' },
  pull_request: { number: n, head: { sha: 'f'.repeat(40), ref: 'feature/login' }, base: { ref: 'main' } },
});

describe('container-push: pull request and PEP 440 tags (real registry)', () => {
  let reg: TestRegistry;
  let dir: string;
  beforeAll(async () => {
    reg = await startRegistry();
    dir = mkdtempSync(join(tmpdir(), 'event-tags-'));
  });
  afterAll(async () => {
    await reg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Pushes a fresh layout of `project` under a GitHub-like env; returns the pushed digest and the repository's tags. */
  async function push(
    project: string,
    env: Record<string, string | undefined>,
    extra: Record<string, unknown>,
    version = '1.0.0',
  ) {
    const made = makeLayout({ project, version });
    const options = { outputPath: made.outputPath, registry: reg.host, repository: 'lucid', ...extra };
    const result = await runPush(options, executorContext(made.root, project, { tags: ['phase:2'] }), {
      env: { ...NO_GITHUB, ...env },
      log: () => undefined,
    });
    return { digest: result.digest, tags: await skopeoTags(reg.host, `lucid/${project}`) };
  }

  const prRules = [...DEFAULT_TAG_RULES, 'type=ref,event=branch', 'type=ref,event=pr', 'type=sha'];

  it('pull_request: pr-<n>, the sha tags, no branch tag (the ref name is 15/merge) and no latest; the job summary lists them', async () => {
    const event = join(dir, 'pull_request.json');
    writeFileSync(event, JSON.stringify(prPayload(15)));
    const summary = join(dir, 'summary.md');
    const env = {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REF: 'refs/pull/15/merge',
      GITHUB_REF_NAME: '15/merge',
      GITHUB_SHA: MERGE_SHA,
      GITHUB_STEP_SUMMARY: summary,
    };
    const { digest, tags } = await push('pr-service', env, { tags: prRules, tagFlavor: ['latest=true'] });
    expect(tags).toEqual(['pr-15', MERGE_SHA, `phase2-${MERGE_SHA}`, 'sha-1111111'].sort());
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('### pr-service: pushed');
    expect(md).toContain(`| \`${reg.host}/lucid/pr-service\` | \`${digest}\` |`);
    expect(md).toContain('| `pr-15` | `type=ref,event=pr,prefix=pr-` | pull request #15 |');
  });

  it('pull_request_target: the PR’s tags from the payload, not the base branch’s main or latest', async () => {
    const event = join(dir, 'pull_request_target.json');
    writeFileSync(event, JSON.stringify(prPayload(16)));
    const env = {
      GITHUB_EVENT_NAME: 'pull_request_target',
      GITHUB_EVENT_PATH: event,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_SHA: BASE_SHA,
    };
    const { tags } = await push('prt-service', env, { tags: prRules });
    expect(tags).toEqual(['pr-16', BASE_SHA, `phase2-${BASE_SHA}`, 'sha-2222222'].sort());
  });

  it('a PEP 440 release tags as the action does; a later pre-release moves neither the floating tags nor latest', async () => {
    const rules = [
      'type=pep440,pattern={{version}}',
      'type=pep440,pattern={{major}}.{{minor}}',
      'type=pep440,pattern={{major}}',
    ];
    const env = { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main', GITHUB_SHA: RELEASE_SHA };
    const first = await push('py-service', env, { tags: rules, releaseVersion: '1.2.0' }, '1.2.0');
    expect(first.tags).toEqual(['1', '1.2', '1.2.0', 'latest']);
    const pre = await push('py-service', env, { tags: rules, releaseVersion: '1.3.0rc1' }, '1.3.0rc1');
    expect(pre.digest).not.toBe(first.digest);
    expect(pre.tags).toEqual(['1', '1.2', '1.2.0', '1.3.0rc1', 'latest']);
    for (const tag of ['1', '1.2', 'latest']) {
      expect((await skopeoManifest(reg.host, `lucid/py-service:${tag}`)).digest).toBe(first.digest);
    }
    expect((await skopeoManifest(reg.host, 'lucid/py-service:1.3.0rc1')).digest).toBe(pre.digest);
  });
});
