/**
 * The supply chain end to end, as a release sees it: a real two-platform buildah build, the scan (the stand-in
 * `trivy`: Trivy cannot run here) writing the CycloneDX SBOM, container-push attaching provenance and the SBOM
 * plus Sigstore bundles of both, signed through @sigstore/mock's services (Sigstore cannot be reached here: a
 * boundary stand-in) as this repository's workflow or as another one, and promote under requireAttestations
 * accepting only the build signed by the right identity. Registry: the real docker-registry (referrers tag
 * schema); every check of what it holds is made with skopeo.
 */
import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ARTIFACTS, readArtifact } from '../src/artifacts/artifacts';
import buildExecutor from '../src/nx/executors/build/executor';
import { runPush } from '../src/nx/executors/push/executor';
import { runRelease } from '../src/nx/executors/release/executor';
import scanExecutor from '../src/nx/executors/scan/executor';
import { CYCLONEDX_BOM, provenanceStatement, sbomStatement, SLSA_PROVENANCE_V1 } from '../src/oci/in-toto';
import { referrersTag } from '../src/registry/referrers';
import { GITHUB_ISSUER, SigstoreStandIn, startSigstoreStandIn } from '../src/release/testing/sigstore-stand-in';
import { TRIVY_FIXTURES } from '../src/scan/test-support';
import { pushTestBase } from './support/base-image';
import { fakeTrivyBin } from './support/fake-trivy-bin';
import { startRegistry, TestRegistry } from './support/registry';
import { skopeoManifest, skopeoTags } from './support/registry-check';

const PROJECT = 'ledger-svc';
const OUT = `dist/containers/${PROJECT}`;
const CI = 'https://github.com/hamigames/lucid/.github/workflows/containers.yml@refs/heads/main';
const FORK = 'https://github.com/mallory/lucid/.github/workflows/containers.yml@refs/heads/main';
const POLICY = {
  predicateTypes: [SLSA_PROVENANCE_V1, CYCLONEDX_BOM],
  certificateIssuer: GITHUB_ISSUER,
  certificateIdentity: CI,
  trustedRoot: '.sigstore/trusted_root.json',
};
const ENV = { GITHUB_SHA: undefined, GITHUB_REF_NAME: undefined, GHCR_TOKEN: undefined, GITHUB_TOKEN: undefined };

describe('build → scan (SBOM) → push with signed attestations → promote under requireAttestations', () => {
  let registry: TestRegistry;
  let sigstore: SigstoreStandIn;
  let root: string;
  let trivyBin: string;
  const originalPath = process.env.PATH;
  const write = (file: string, content: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  };
  const context = (): ExecutorContext =>
    ({
      root,
      cwd: root,
      isVerbose: false,
      projectName: PROJECT,
      projectsConfigurations: {
        version: 2,
        projects: { [PROJECT]: { root: `apps/${PROJECT}`, tags: ['type:service', 'phase:1'] } },
      },
      nxJsonConfiguration: {},
      projectGraph: { nodes: {}, dependencies: {} },
    }) as unknown as ExecutorContext;
  const metadata = () => {
    const m = readArtifact(join(root, OUT), ARTIFACTS.metadata);
    if (!m) throw new Error(`${OUT}/metadata.json was not written`);
    return m;
  };
  const common = () => ({ outputPath: OUT, registry: registry.host, repository: 'hamigames/lucid' });

  /** Builds the service (its source says `marker`, so each build is another image) and scans it. */
  async function buildAndScan(marker: string): Promise<string> {
    write(`apps/${PROJECT}/src/main.py`, `print("${marker}")\n`);
    const build = await buildExecutor(
      {
        ...common(),
        dockerfile: `apps/${PROJECT}/Dockerfile`,
        platforms: ['linux/amd64', 'linux/arm64'],
        engine: 'buildah',
        registryMirrors: { 'gcr.io': `${registry.host}/mirror/gcr.io` },
        insecureRegistries: [registry.host],
      },
      context(),
    );
    expect(build).toEqual({ success: true });
    const scan = await scanExecutor({ ...common(), platforms: ['linux/amd64', 'linux/arm64'] }, context());
    expect(scan).toEqual({ success: true });
    return metadata().index.digest;
  }

  /** Signs provenance and SBOM statements of the build as `identity`; returns the bundle files (workspace paths). */
  async function sign(identity: string, name: string): Promise<string[]> {
    const { image, index, engine } = metadata();
    const sbom = JSON.parse(readFileSync(join(root, OUT, 'scan/sbom.cdx.json'), 'utf8'));
    const statements = {
      provenance: provenanceStatement({
        image,
        digest: index.digest,
        platforms: ['linux/amd64', 'linux/arm64'],
        engine,
        builderId: 'https://github.com/hamigames/lucid/actions/runs/7/attempts/1',
      }),
      sbom: sbomStatement(image, index.digest, sbom),
    };
    const files: string[] = [];
    for (const [kind, statement] of Object.entries(statements)) {
      const bundle = await sigstore.signStatement(statement, { subject: identity, issuer: GITHUB_ISSUER });
      const file = `bundles/${name}-${kind}.sigstore.json`;
      write(file, JSON.stringify(bundle));
      files.push(file);
    }
    return files;
  }

  const push = (version: string, bundles: string[]) =>
    runPush(
      {
        ...common(),
        insecureRegistries: [registry.host],
        sha: version.replace(/\D/g, '').padEnd(40, '0'),
        latest: 'never',
        releaseVersion: version.slice(1),
        attachAttestations: true,
        attestationBundles: bundles,
      },
      context(),
      { env: ENV, log: () => undefined },
    );
  const promote = async (version: string) => {
    const lines: string[] = [];
    const result = await runRelease(
      { ...common(), insecureRegistries: [registry.host], action: 'promote', version, requireAttestations: POLICY },
      context(),
      { env: ENV, log: (l) => lines.push(l) },
    ).then(
      () => 'promoted',
      (e: Error) => e.message,
    );
    return { result, output: lines.join('\n') };
  };
  const latest = async () => {
    const tags = await skopeoTags(registry.host, `hamigames/lucid/${PROJECT}`);
    return tags.includes('latest')
      ? (await skopeoManifest(registry.host, `hamigames/lucid/${PROJECT}:latest`)).digest
      : null;
  };

  beforeAll(async () => {
    [registry, sigstore] = await Promise.all([startRegistry(), startSigstoreStandIn()]);
    await pushTestBase(registry.host, 'mirror/gcr.io/lucid-test/base', '1');
    root = mkdtempSync(join(tmpdir(), 'lucid-supply-chain-'));
    write(
      `apps/${PROJECT}/Dockerfile`,
      ['FROM gcr.io/lucid-test/base:1', `COPY apps/${PROJECT}/src/ /app/`, 'USER 65532:65532', ''].join('\n'),
    );
    write(`apps/${PROJECT}/pyproject.toml`, '[project]\nname = "ledger-svc"\nversion = "1.0.0"\n');
    write(POLICY.trustedRoot, JSON.stringify(sigstore.trustedRoot));
    trivyBin = fakeTrivyBin({ FAKE_TRIVY_REPORT: join(TRIVY_FIXTURES, 'engine-ci-alpine-no-vulns.json') });
    process.env.PATH = `${trivyBin}:${originalPath}`;
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    process.env.PATH = originalPath;
    jest.restoreAllMocks();
    await Promise.all([registry?.stop(), sigstore?.close()]);
    for (const dir of [root, trivyBin]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the unsigned and the wrongly signed build, promotes the signed one, and keeps its referrers', async () => {
    // v1.0.0: built, scanned, pushed with its unsigned statements only.
    const unsigned = await buildAndScan('one');
    const sbom = JSON.parse(readFileSync(join(root, OUT, 'scan/sbom.cdx.json'), 'utf8'));
    expect(sbom.bomFormat).toBe('CycloneDX');
    expect(sbom.metadata.component['bom-ref']).toBe(`${registry.host}/hamigames/lucid/${PROJECT}@${unsigned}`);
    expect(sbom.metadata.component.properties.map((p: { value: string }) => p.value)).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
    await push('v1.0.0', []);
    // v1.1.0: signed, but by another repository's workflow.
    const forked = await buildAndScan('two');
    await push('v1.1.0', await sign(FORK, 'fork'));
    // v1.2.0: signed by this repository's workflow.
    const signed = await buildAndScan('three');
    await push('v1.2.0', await sign(CI, 'ci'));
    expect(new Set([unsigned, forked, signed]).size).toBe(3);

    const refused = await promote('1.0.0');
    expect(refused.result).toMatch(/refused: .*does not satisfy requireAttestations \(nothing was changed\)/);
    expect(refused.result).toMatch(/slsa\.dev\/provenance\/v1: .*unsigned|no Sigstore bundle/);
    expect(await latest()).toBeNull();

    const wrong = await promote('1.1.0');
    expect(wrong.result).toMatch(/wrong identity or issuer/);
    expect(wrong.result).toContain('refused');
    expect(await latest()).toBeNull();

    const ok = await promote('1.2.0');
    expect(ok.result).toBe('promoted');
    expect(ok.output).toMatch(/policy satisfied/);
    expect(await latest()).toBe(signed);

    // What `latest` names still carries its provenance, SBOM and both bundles (the referrers tag schema).
    const index = (await skopeoManifest(registry.host, `hamigames/lucid/${PROJECT}:${referrersTag(signed)}`))
      .manifest as unknown as { manifests: Array<{ artifactType?: string; annotations?: Record<string, string> }> };
    const carried = index.manifests.map(
      (m) =>
        `${m.artifactType} ${m.annotations?.['dev.sigstore.bundle.predicateType'] ?? m.annotations?.['in-toto.io/predicate-type']}`,
    );
    expect(carried.sort()).toEqual(
      [
        `application/vnd.dev.sigstore.bundle.v0.3+json ${CYCLONEDX_BOM}`,
        `application/vnd.dev.sigstore.bundle.v0.3+json ${SLSA_PROVENANCE_V1}`,
        `application/vnd.in-toto+json ${CYCLONEDX_BOM}`,
        `application/vnd.in-toto+json ${SLSA_PROVENANCE_V1}`,
      ].sort(),
    );
  });
});
