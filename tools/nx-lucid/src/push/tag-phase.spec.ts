import { ImmutableTagError } from '../image/tag-moves';
import { DEFAULT_TAG_RULES, TagRuleInput } from '../config/tag-rules';
import { pushTagContext, PushTagOptions } from '../image/push-tags';
import { currentTagDigests, existingVersionsFor, guardTagMoves } from './tag-phase';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

/** A registry read through the two calls the tag phase makes; it records them. */
function fakeClient(tags: Record<string, string>) {
  const calls: string[] = [];
  return {
    calls,
    headManifest: async (repo: string, ref: string) => {
      calls.push(`HEAD ${repo}:${ref}`);
      return tags[ref]
        ? { digest: tags[ref], mediaType: 'application/vnd.oci.image.index.v1+json', size: 1 }
        : undefined;
    },
    listTags: async (repo: string) => {
      calls.push(`LIST ${repo}`);
      return Object.keys(tags);
    },
  };
}

describe('tag phase: current digests and the immutability guard', () => {
  it('reads the digest each planned tag names now (undefined for a new tag)', async () => {
    const client = fakeClient({ latest: D1 });
    expect(await currentTagDigests(client, 'lucid/api', ['latest', 'v1.0.0'])).toEqual(
      new Map([
        ['latest', D1],
        ['v1.0.0', undefined],
      ]),
    );
  });

  it('moving latest and sha tags passes; a version tag on another digest refuses unless forced, which logs the old digest', async () => {
    const client = fakeClient({ latest: D1, 'v1.0.0': D1 });
    const req = (tags: Array<{ tag: string; immutable: boolean }>, force: boolean, lines: string[] = []) => ({
      repository: 'lucid/api',
      image: 'r.test/lucid/api',
      tags: tags.map((t) => ({ ...t, reason: 'test' })),
      digest: D2,
      force,
      dryRun: false,
      log: (l: string) => lines.push(l),
    });
    const moved = await guardTagMoves(client, req([{ tag: 'latest', immutable: false }], false));
    expect(moved.changes).toEqual([{ tag: 'latest', before: D1, after: D2, immutable: false }]);
    await expect(guardTagMoves(client, req([{ tag: 'v1.0.0', immutable: true }], false))).rejects.toThrow(
      ImmutableTagError,
    );
    await expect(guardTagMoves(client, req([{ tag: 'v1.0.0', immutable: true }], false))).rejects.toThrow(
      `r.test/lucid/api:v1.0.0 already names ${D1}; refusing to move it to ${D2}`,
    );
    const lines: string[] = [];
    await guardTagMoves(client, req([{ tag: 'v1.0.0', immutable: true }], true, lines));
    expect(lines).toEqual([`  ! --force: version tag v1.0.0 moves from ${D1} to ${D2} (old digest ${D1})`]);
  });

  it('reads the existing versions only for a release with a latest=auto rule', async () => {
    const client = fakeClient({ 'v1.0.0': D1, 'v2.0.0': D1, latest: D1, 'v2.0': D1, 'x-3.0.0': D1, 'x-3.1.0rc1': D1 });
    const options = (tags: TagRuleInput[], releaseVersion?: string): PushTagOptions => ({
      tags,
      latestOnBranch: 'main',
      latest: 'auto',
      versionTag: true,
      releaseVersion,
    });
    const ctx = (o: PushTagOptions, env: NodeJS.ProcessEnv = {}) =>
      pushTagContext(o, { env, payload: {}, gitBranch: 'main', project: 'api' });
    const auto: TagRuleInput[] = [
      ...DEFAULT_TAG_RULES.filter((r) => r.type !== 'latest'),
      { type: 'latest', when: 'auto' },
    ];
    const release = options(auto, '1.5.0');
    expect(
      await existingVersionsFor(client, 'lucid/api', options(DEFAULT_TAG_RULES, '1.5.0'), ctx(release)),
    ).toBeUndefined();
    expect(await existingVersionsFor(client, 'lucid/api', options(auto), ctx(options(auto)))).toBeUndefined();
    expect(client.calls).toEqual([]);
    expect(await existingVersionsFor(client, 'lucid/api', release, ctx(release))).toEqual(['1.0.0', '2.0.0']);
    const prefixed = options(['type=pep440,pattern={{version}},prefix=x-', { type: 'latest', when: 'auto' }]);
    const tagBuild = ctx(prefixed, { GITHUB_REF: 'refs/tags/api@3.2.0' });
    expect(await existingVersionsFor(client, 'lucid/api', prefixed, tagBuild)).toEqual(['3.0.0', '3.1.0rc1']);
  });
});
