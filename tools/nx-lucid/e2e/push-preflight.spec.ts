/**
 * A push whose build output is unsound (truncated base layer, truncated app layer, same-size garbage in a
 * config) fails naming the bad file and leaves the registry exactly as it was: catalog, every tag's digest
 * (skopeo) and every blob of the image (HEAD). Only blobs the repository lacks are hashed: a no-op push reads none.
 */
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { runPush } from '../src/nx/executors/push/executor';
import { makeLayout, MadeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';
import { executorContext, registryState } from './support/registry-check';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const env = { GITHUB_SHA: undefined, GITHUB_REF_NAME: undefined, GHCR_TOKEN: undefined, GITHUB_TOKEN: undefined };

function blobFile(made: MadeLayout, digest: string): string {
  return join(made.layoutDir, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

function imageBlobs(made: MadeLayout): string[] {
  const out = new Set<string>();
  for (const m of made.metadata.manifests) {
    const manifest = JSON.parse(readFileSync(blobFile(made, m.digest), 'utf8')) as {
      config: { digest: string };
      layers: Array<{ digest: string }>;
    };
    for (const d of [manifest.config, ...manifest.layers]) out.add(d.digest);
  }
  return [...out].sort();
}

describe('container-push checks the whole build output before it changes a registry', () => {
  let reg: TestRegistry;
  let base: Buffer;
  beforeAll(async () => {
    reg = await startRegistry();
    // A sibling on the same base is already there: the registry is not empty, and mounts would be possible.
    base = randomBytes(256 * 1024);
    const sibling = makeLayout({ project: 'api-gateway', sharedLayer: base, layerBytes: 64 * 1024 });
    await runPush(
      { outputPath: sibling.outputPath, registry: reg.host, repository: 'hamigames/lucid', sha: SHA },
      executorContext(sibling.root, 'api-gateway'),
      { env, log: () => undefined },
    );
  });
  afterAll(async () => reg?.stop());

  const blobHeads = async (repos: string[], digests: string[]) => {
    const out: Record<string, number> = {};
    for (const repo of repos)
      for (const d of digests)
        out[`${repo}@${d}`] = (await fetch(`${reg.url}/v2/${repo}/blobs/${d}`, { method: 'HEAD' })).status;
    return out;
  };

  const cases: Array<[string, (made: MadeLayout) => string]> = [
    [
      'a truncated base layer',
      (made) => {
        const file = blobFile(
          made,
          imageBlobs(made).find((d) => readFileSync(blobFile(made, d)).equals(base))!,
        );
        truncateSync(file, base.length / 2);
        return file;
      },
    ],
    [
      'a truncated app layer',
      (made) => {
        const manifest = JSON.parse(readFileSync(blobFile(made, made.metadata.manifests[1].digest), 'utf8')) as {
          layers: Array<{ digest: string }>;
        };
        const file = blobFile(made, manifest.layers.at(-1)!.digest);
        truncateSync(file, 1000);
        return file;
      },
    ],
    [
      'same-size garbage in a config blob',
      (made) => {
        const file = blobFile(made, made.metadata.manifests[1].configDigest);
        writeFileSync(file, randomBytes(readFileSync(file).length));
        return file;
      },
    ],
  ];

  it.each(cases)('%s: a clear error naming the file, and nothing changed in the registry', async (_name, corrupt) => {
    const made = makeLayout({ project: 'auth-service', sharedLayer: base, layerBytes: 128 * 1024 });
    const bad = corrupt(made);
    const repos = ['hamigames/lucid/auth-service', 'hamigames/lucid/api-gateway'];
    const before = { state: await registryState(reg.host, reg.url), blobs: await blobHeads(repos, imageBlobs(made)) };
    const lines: string[] = [];
    await expect(
      runPush(
        {
          outputPath: made.outputPath,
          registry: reg.host,
          repository: 'hamigames/lucid',
          sha: SHA,
          mountFrom: ['hamigames/lucid/api-gateway'],
        },
        executorContext(made.root, 'auth-service', { siblings: ['api-gateway'] }),
        { env, log: (l) => lines.push(l) },
      ),
    ).rejects.toThrow(bad);
    expect(lines.filter((l) => /[↑⇢⇒]/.test(l))).toEqual([]);
    expect({ state: await registryState(reg.host, reg.url), blobs: await blobHeads(repos, imageBlobs(made)) }).toEqual(
      before,
    );
  });

  it('reads no blob the repository already has: a re-push under new tags hashes none (same-size garbage there goes unread)', async () => {
    const made = makeLayout({ project: 'wallet-service', sharedLayer: base, layerBytes: 64 * 1024 });
    const options = { outputPath: made.outputPath, registry: reg.host, repository: 'hamigames/lucid', sha: SHA };
    const context = executorContext(made.root, 'wallet-service');
    await runPush(options, context, { env, log: () => undefined });
    // Every blob is now in the repository by digest; the local copies are only read again for a blob it lacks.
    for (const d of imageBlobs(made)) {
      const file = blobFile(made, d);
      writeFileSync(file, randomBytes(readFileSync(file).length));
    }
    const lines: string[] = [];
    // Another commit's tags: the blobs and manifests are checked (not the every-tag-matches shortcut), none is sent.
    const again = await runPush({ ...options, sha: 'fedcba9876543210fedcba9876543210fedcba98' }, context, {
      env,
      log: (l) => lines.push(l),
    });
    expect(again.blobs).toMatchObject({ uploaded: 0, mounted: 0, skipped: imageBlobs(made).length });
    expect(again.tags.length).toBeGreaterThan(0);
    expect(lines.filter((l) => /[↑⇢]/.test(l))).toEqual([]);
  });
});
