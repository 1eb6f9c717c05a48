/*
 * Real: `nx run-many -t container-build` on a throwaway workspace with two fixture services, built by buildah
 * on a base in a real registry. A counting `buildah` wrapper first on PATH shows the warm run starts no builder,
 * and a moved base tag (same tag, new digest) rebuilds. With a stand-in trivy replaying real reports, a failing
 * CVSS gate stops container-push through the target graph and a passing one pushes.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { which } from '../src/boundary/process';
import { parseBuildMetadata } from '../src/artifacts/metadata';
import { TRIVY_FIXTURES } from '../src/scan/test-support';
import { pushTestBase, PushedBase } from './support/base-image';
import { fakeTrivyBin } from './support/fake-trivy-bin';
import { startRegistry, TestRegistry } from './support/registry';
import { createWorkspace, ThrowawayWorkspace } from './support/workspace';

const SERVICES = ['svc-alpha', 'svc-beta'];

function fixtureServiceFiles(name: string, phase: number): Record<string, string> {
  return {
    [`apps/${name}/project.json`]: JSON.stringify({ name, tags: ['type:service', `phase:${phase}`] }, null, 2),
    [`apps/${name}/pyproject.toml`]: `[project]\nname = "${name}"\nversion = "0.${phase}.0"\ndescription = "Fixture ${name}"\n`,
    [`apps/${name}/src/main.py`]: `print("${name}")\n`,
    [`apps/${name}/Dockerfile`]: [
      'ARG BASE_IMAGE=gcr.io/lucid-test/base:1',
      'FROM scratch AS assemble',
      `COPY apps/${name}/pyproject.toml apps/${name}/src/ /app/`,
      'FROM ${BASE_IMAGE}',
      'COPY --from=assemble /app /app',
      'USER 65532:65532',
      '',
    ].join('\n'),
  };
}

describe('fixture workspace through real Nx: build cache, moved base, scan before push', () => {
  let registry: TestRegistry;
  let base: PushedBase;
  let ws: ThrowawayWorkspace;
  let env: NodeJS.ProcessEnv;
  let countFile: string;

  const builderStarts = () =>
    existsSync(countFile) ? readFileSync(countFile, 'utf8').split('\n').filter(Boolean) : [];
  const runMany = async () => {
    writeFileSync(countFile, '');
    const r = await ws.nx(['run-many', '-t', 'container-build', '--parallel=2', '--outputStyle=static'], env);
    if (r.exitCode !== 0) throw new Error(`nx run-many failed (${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const metadata = (name: string) =>
    parseBuildMetadata(JSON.parse(readFileSync(join(ws.root, 'dist/containers', name, 'metadata.json'), 'utf8')));

  beforeAll(async () => {
    registry = await startRegistry();
    base = await pushTestBase(registry.host, 'mirror/gcr.io/lucid-test/base', '1', 'v1');
    ws = await createWorkspace({
      files: Object.assign({}, ...SERVICES.map((s, i) => fixtureServiceFiles(s, i + 1))),
    });
    // A wrapper first on PATH records every builder start, then runs the real buildah.
    const bin = join(ws.root, 'tmp/bin');
    mkdirSync(bin, { recursive: true });
    countFile = join(ws.root, 'tmp/buildah-starts');
    writeFileSync(join(bin, 'buildah'), `#!/bin/sh\necho "$*" >> "${countFile}"\nexec ${which('buildah')} "$@"\n`);
    chmodSync(join(bin, 'buildah'), 0o755);
    env = {
      PATH: `${bin}:${process.env.PATH}`,
      NX_SKIP_NX_CACHE: 'false',
      LUCID_ENGINE: 'buildah',
      LUCID_REGISTRY_MIRRORS: `gcr.io=${registry.host}/mirror/gcr.io`,
      LUCID_INSECURE_REGISTRIES: registry.host,
    };
  });
  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
  });

  it('builds cold, then the warm run is all cache hits and starts no builder', async () => {
    const cold = await runMany();
    expect(builderStarts().filter((l) => / build /.test(` ${l} `))).toHaveLength(SERVICES.length);
    for (const s of SERVICES) {
      expect(metadata(s).manifests.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
      expect(metadata(s).base).toEqual({ ref: 'gcr.io/lucid-test/base:1', digest: base.digest });
    }
    expect(cold).not.toMatch(/existing outputs match the cache|local cache/);
    const indexes = SERVICES.map((s) => metadata(s).index.digest);

    const warm = await runMany();
    expect(builderStarts()).toEqual([]);
    expect(warm).toMatch(/Nx read the output from the cache instead of running the command for 2 out of 2 tasks/);
    expect(SERVICES.map((s) => metadata(s).index.digest)).toEqual(indexes);
  });

  it('rebuilds when the base tag moves to a new digest', async () => {
    const moved = await pushTestBase(registry.host, 'mirror/gcr.io/lucid-test/base', '1', 'v2');
    expect(moved.digest).not.toBe(base.digest);
    await runMany();
    expect(builderStarts().filter((l) => / build /.test(` ${l} `))).toHaveLength(SERVICES.length);
    for (const s of SERVICES) expect(metadata(s).base?.digest).toBe(moved.digest);
  });

  it('scan before push: a failing CVSS gate stops container-push in the target graph, a passing one lets it through', async () => {
    const pipeline = (project: string, report: string) =>
      ws.nx(['run', `${project}:container-push`, '--outputStyle=static'], {
        ...env,
        // The stand-in trivy (Trivy cannot run here) replays a real report; everything after it is our code.
        PATH: `${fakeTrivyBin({ FAKE_TRIVY_REPORT: join(TRIVY_FIXTURES, report) })}:${env.PATH}`,
        LUCID_REGISTRY: registry.host,
        LUCID_REPOSITORY: 'gate-test',
        GITHUB_SHA: 'c'.repeat(40),
      });
    const catalog = async () =>
      ((await (await fetch(`${registry.url}/v2/_catalog`)).json()) as { repositories: string[] }).repositories;

    // debian-buster: bash CVE-2019-18276 is LOW by the vendor but NVD CVSS 7.8, so the default gate fails.
    const blocked = await pipeline('svc-alpha', 'debian-buster.json');
    expect(blocked.exitCode).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toMatch(/CVE-2019-18276 in bash/);
    const blockedOut = blocked.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    expect(blockedOut).toMatch(/nx run svc-alpha:scan/);
    // Nx never starts the push task once its scan dependency failed.
    expect(blockedOut).not.toMatch(/nx run svc-alpha:container-push/);
    expect(await catalog()).not.toContain('gate-test/svc-alpha');

    // A clean report: build (cached) → scan → push, and the registry has the image under its sha tag.
    const passed = await pipeline('svc-beta', 'engine-ci-alpine-no-vulns.json');
    expect(passed.exitCode).toBe(0);
    expect(await catalog()).toContain('gate-test/svc-beta');
    const tags = (await (await fetch(`${registry.url}/v2/gate-test/svc-beta/tags/list`)).json()) as { tags: string[] };
    expect(tags.tags).toEqual(expect.arrayContaining(['c'.repeat(40), `phase2-${'c'.repeat(40)}`]));
  });
});
