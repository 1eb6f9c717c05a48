/**
 * One push to several registries (issue 16), against two real docker-registry instances: A open, B behind
 * htpasswd (credentials from LUCID_REGISTRY_<HOST>_USERNAME/_PASSWORD, for B only). skopeo reads both: the
 * same index bytes (so the same digest) and both platforms; push.json lists both. A version tag that names
 * another digest in B refuses the push before anything is written to A. Build outputs come from make-layout.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, readArtifact } from '../src/artifacts/artifacts';
import { runProcess } from '../src/boundary/process';
import { runPush } from '../src/nx/executors/push/executor';
import { runRelease } from '../src/nx/executors/release/executor';
import { registryEnvPrefix } from '../src/registry/docker-credentials';
import { makeLayout, MadeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';
import { catalog, executorContext, registryState } from './support/registry-check';

const PROJECT = 'orders';
const REPO = `hamigames/lucid/${PROJECT}`;
const USER = 'lucid';
const PASSWORD = 'lucid-multi-s3cret-0123456789';
const SHA = 'd'.repeat(40);

describe('one push to two registries (real registries, one with htpasswd)', () => {
  let regA: TestRegistry;
  let regB: TestRegistry;
  let tmp: string;
  /** skopeo's auth file for B, so the password is in no child's argv. */
  let authFile: string;
  const made: MadeLayout[] = [];

  beforeAll(async () => {
    regA = await startRegistry();
    regB = await startRegistry({ htpasswd: { username: USER, password: PASSWORD } });
    tmp = mkdtempSync(join(tmpdir(), 'lucid-multi-'));
    authFile = join(tmp, 'auth.json');
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    writeFileSync(authFile, JSON.stringify({ auths: { [regB.host]: { auth } } }));
  });
  afterAll(async () => {
    await regA?.stop();
    await regB?.stop();
    rmSync(tmp, { recursive: true, force: true });
    for (const m of made) rmSync(m.root, { recursive: true, force: true });
  });

  const env = () => ({
    GITHUB_SHA: undefined,
    GITHUB_REF: undefined,
    GITHUB_REF_TYPE: undefined,
    GITHUB_REF_NAME: 'main',
    GHCR_TOKEN: undefined,
    GITHUB_TOKEN: undefined,
    HOME: tmp,
    DOCKER_CONFIG: tmp,
    [`${registryEnvPrefix(regB.host)}_USERNAME`]: USER,
    [`${registryEnvPrefix(regB.host)}_PASSWORD`]: PASSWORD,
  });
  const layout = () => {
    const m = makeLayout({ project: PROJECT, version: '1.0.0', gitSha: SHA });
    made.push(m);
    return m;
  };
  const push = (m: MadeLayout, registries: string[], extra: Record<string, unknown> = {}, lines: string[] = []) =>
    runPush(
      { outputPath: m.outputPath, registries, repository: 'hamigames/lucid', sha: SHA, ...extra },
      executorContext(m.root, PROJECT, { tags: ['phase:2'] }),
      { env: env(), log: (l) => lines.push(l) },
    );
  /** The raw index bytes skopeo reads (B with its auth file), their sha256, and the platforms they list. */
  const inspect = async (host: string, tag: string) => {
    const auth = host === regB.host ? ['--authfile', authFile] : [];
    const r = await runProcess('skopeo', [
      'inspect',
      '--raw',
      '--tls-verify=false',
      ...auth,
      `docker://${host}/${REPO}:${tag}`,
    ]);
    const index = JSON.parse(r.stdout) as { manifests: Array<{ platform?: { os: string; architecture: string } }> };
    return {
      bytes: r.stdout,
      digest: `sha256:${createHash('sha256').update(r.stdout, 'utf8').digest('hex')}`,
      platforms: index.manifests.flatMap((m) => (m.platform ? [`${m.platform.os}/${m.platform.architecture}`] : [])),
    };
  };

  it('gives the same index bytes and digest, both platforms, in both; push.json lists both', async () => {
    const m = layout();
    const dryLines: string[] = [];
    await push(m, [regA.host, regB.host], { dryRun: true }, dryLines);
    for (const host of [regA.host, regB.host])
      expect(dryLines.join('\n')).toContain(`[dry-run] would push ${host}/${REPO}@`);
    expect(await catalog(regA.url)).toEqual([]);

    const lines: string[] = [];
    const result = await push(m, [regA.host, regB.host], {}, lines);
    const a = await inspect(regA.host, SHA);
    const b = await inspect(regB.host, SHA);
    expect(a.digest).toBe(m.metadata.index.digest);
    expect(b.bytes).toBe(a.bytes);
    expect(b.digest).toBe(a.digest);
    expect(a.platforms.sort()).toEqual(['linux/amd64', 'linux/arm64']);
    expect(b.platforms.sort()).toEqual(['linux/amd64', 'linux/arm64']);
    expect(lines.join('\n')).not.toContain(PASSWORD);

    const record = readArtifact(join(m.root, m.outputPath), ARTIFACTS.push)!;
    expect(record.image).toBe(`${regA.host}/${REPO}`);
    expect(record.digest).toBe(result.digest);
    expect(record.registries?.map((r) => [r.image, r.digest])).toEqual([
      [`${regA.host}/${REPO}`, a.digest],
      [`${regB.host}/${REPO}`, a.digest],
    ]);
    // Each registry had nothing: every blob uploaded once to each.
    for (const r of record.registries!) {
      expect(r.blobs.uploaded).toBe(r.blobs.total);
      expect(r.tags).toEqual(expect.arrayContaining([SHA, `phase2-${SHA}`, 'latest']));
    }
  });

  it('container-release create --registry all versions the same digest in both', async () => {
    const [m] = made;
    const out = await runRelease(
      {
        action: 'create',
        version: 'v3.0.0',
        from: SHA,
        registry: 'all',
        registries: [regA.host, regB.host],
        repository: 'hamigames/lucid',
        outputPath: m.outputPath,
      },
      executorContext(m.root, PROJECT),
      { env: env(), log: () => undefined },
    );
    expect(out.registries?.map((r) => r.registry)).toEqual([regA.host, regB.host]);
    expect((await inspect(regA.host, 'v3.0.0')).digest).toBe(m.metadata.index.digest);
    expect((await inspect(regB.host, 'v3.0.0')).digest).toBe(m.metadata.index.digest);
    const audit = readArtifact(join(m.root, m.outputPath), ARTIFACTS.release)!.changes;
    expect(audit.map((c) => JSON.stringify(c))).toEqual([
      expect.stringContaining(`${regA.host}/${REPO}`),
      expect.stringContaining(`${regB.host}/${REPO}`),
    ]);
  });

  it('a version tag on another digest in B refuses the push, and A is left unchanged', async () => {
    const onlyB = layout();
    await push(onlyB, [regB.host], { releaseVersion: '2.0.0' });
    expect((await inspect(regB.host, 'v2.0.0')).digest).toBe(onlyB.metadata.index.digest);

    const before = { state: await registryState(regA.host, regA.url), catalog: await catalog(regA.url) };
    expect(before.state[REPO]).toBeDefined();
    const next = layout();
    await expect(push(next, [regA.host, regB.host], { releaseVersion: '2.0.0' })).rejects.toThrow(
      new RegExp(
        `${regB.host}/${REPO}:v2\\.0\\.0 already names ${onlyB.metadata.index.digest}; refusing to move it to ${next.metadata.index.digest}`,
      ),
    );
    expect({ state: await registryState(regA.host, regA.url), catalog: await catalog(regA.url) }).toEqual(before);
    expect(before.state[REPO]['v2.0.0']).toBeUndefined();
    expect((await inspect(regB.host, 'v2.0.0')).digest).toBe(onlyB.metadata.index.digest);
  });
});
