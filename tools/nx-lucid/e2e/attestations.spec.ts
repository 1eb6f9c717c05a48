/**
 * Signed attestations on the real local registry (Debian's docker-registry 2.8: no referrers API, so the referrers
 * tag schema `sha256-<hex>`), checked with skopeo. Sigstore's services (Fulcio, Rekor, a TSA) cannot be reached
 * here: the bundles are signed through @sigstore/mock's services (a boundary stand-in, release/testing/
 * sigstore-stand-in.ts) by the real @sigstore/sign, and verified by @sigstore/verify against the stand-in's
 * trusted_root.json. No engine: two-platform images made by the OCI test helper and pushed by our client.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPush } from '../src/nx/executors/push/executor';
import { runRelease } from '../src/nx/executors/release/executor';
import { runReleasePublish } from '../src/nx/executors/release-publish/executor';
import {
  CYCLONEDX_BOM,
  IN_TOTO_MEDIA_TYPE,
  provenanceStatement,
  SIGSTORE_BUNDLE_V03,
  SLSA_PROVENANCE_V1,
} from '../src/oci/in-toto';
import { referrersTag } from '../src/registry/referrers';
import { GITHUB_ISSUER, SigstoreStandIn, startSigstoreStandIn } from '../src/release/testing/sigstore-stand-in';
import { makeLayout, MadeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';
import { executorContext, registryState, skopeoManifest } from './support/registry-check';

const PROJECT = 'auth-service';
const REPO = `hamigames/lucid/${PROJECT}`;
const CI = 'https://github.com/hamigames/lucid/.github/workflows/ci.yml@refs/heads/main';
const FORK = 'https://github.com/mallory/lucid/.github/workflows/ci.yml@refs/heads/main';
const env = { GITHUB_SHA: undefined, GITHUB_REF_NAME: undefined, GHCR_TOKEN: undefined, GITHUB_TOKEN: undefined };
const POLICY = {
  predicateTypes: [SLSA_PROVENANCE_V1],
  certificateIssuer: GITHUB_ISSUER,
  certificateIdentity: CI,
  trustedRoot: '.sigstore/trusted_root.json',
};

type Index = { manifests: Array<{ digest: string; artifactType?: string; annotations?: Record<string, string> }> };

describe('attestations as referrers, and promote under requireAttestations (real registry)', () => {
  let reg: TestRegistry;
  let sigstore: SigstoreStandIn;
  let policyRoot: string;
  const builds: Record<string, MadeLayout> = {};
  const roots: string[] = [];
  const digest = (v: string) => builds[v].metadata.index.digest;
  const referrers = async (v: string) =>
    (await skopeoManifest(reg.host, `${REPO}:${referrersTag(digest(v))}`)).manifest as unknown as Index;
  const release = (o: Record<string, unknown>, lines: string[] = []) =>
    runRelease(
      { registry: reg.host, repository: 'hamigames/lucid', requireAttestations: POLICY, ...o },
      executorContext(policyRoot, PROJECT),
      { env, log: (l) => lines.push(l) },
    );

  /** A two-platform layout with an SBOM beside it, and its provenance signed as `identity` (none: unsigned). */
  async function layoutFor(version: string, identity?: string): Promise<{ made: MadeLayout; bundles: string[] }> {
    const made = makeLayout({ project: PROJECT, version: version.slice(1) });
    roots.push(made.root);
    const bundles: string[] = [];
    if (identity) {
      const statement = provenanceStatement({
        image: made.metadata.image,
        digest: made.metadata.index.digest,
        platforms: ['linux/amd64', 'linux/arm64'],
        engine: made.metadata.engine,
        builderId: 'https://github.com/hamigames/lucid/actions/runs/1/attempts/1',
      });
      const bundle = await sigstore.signStatement(statement, { subject: identity, issuer: GITHUB_ISSUER });
      writeFileSync(join(made.root, 'provenance.sigstore.json'), JSON.stringify(bundle));
      bundles.push('provenance.sigstore.json');
    }
    mkdirSync(join(made.root, made.outputPath, 'scan'), { recursive: true });
    const bom = { bomFormat: 'CycloneDX', specVersion: '1.6', components: [] };
    writeFileSync(join(made.root, made.outputPath, 'scan/sbom.cdx.json'), JSON.stringify(bom));
    mkdirSync(join(made.root, '.sigstore'));
    writeFileSync(join(made.root, POLICY.trustedRoot), JSON.stringify(sigstore.trustedRoot));
    return { made, bundles };
  }

  /** container-push of the layout with its attestations; with `release`, tagged as that version. */
  async function push(version: string, made: MadeLayout, bundles: string[], release = true): Promise<void> {
    await runPush(
      {
        outputPath: made.outputPath,
        registry: reg.host,
        repository: 'hamigames/lucid',
        sha: version.replace(/\D/g, '').repeat(20).slice(0, 40),
        latest: 'never',
        ...(release ? { releaseVersion: version.slice(1) } : {}),
        attachAttestations: true,
        attestationBundles: bundles,
      },
      executorContext(made.root, PROJECT),
      { env, log: () => undefined },
    );
  }

  async function pushVersion(version: string, identity?: string): Promise<void> {
    const { made, bundles } = await layoutFor(version, identity);
    await push(version, made, bundles);
    builds[version] = made;
  }

  beforeAll(async () => {
    [reg, sigstore] = await Promise.all([startRegistry(), startSigstoreStandIn()]);
    policyRoot = mkdtempSync(join(tmpdir(), 'lucid-policy-'));
    mkdirSync(join(policyRoot, '.sigstore'));
    writeFileSync(join(policyRoot, POLICY.trustedRoot), JSON.stringify(sigstore.trustedRoot));
    await pushVersion('v1.0.0', CI);
    await pushVersion('v1.1.0');
    await pushVersion('v1.2.0', FORK);
  });
  afterAll(async () => {
    await Promise.all([reg?.stop(), sigstore?.close()]);
    for (const dir of [policyRoot, ...roots]) rmSync(dir, { recursive: true, force: true });
  });

  it('container-push attached provenance, SBOM and the bundle to the index through the sha256-<hex> tag', async () => {
    const index = await referrers('v1.0.0');
    expect(
      index.manifests.map((m) => [
        m.artifactType,
        m.annotations?.['in-toto.io/predicate-type'] ?? m.annotations?.['dev.sigstore.bundle.predicateType'],
      ]),
    ).toEqual([
      [IN_TOTO_MEDIA_TYPE, SLSA_PROVENANCE_V1],
      [IN_TOTO_MEDIA_TYPE, CYCLONEDX_BOM],
      [SIGSTORE_BUNDLE_V03, SLSA_PROVENANCE_V1],
    ]);
    const bundle = await skopeoManifest(reg.host, `${REPO}@${index.manifests[2].digest}`);
    expect(bundle.manifest).toMatchObject({ artifactType: SIGSTORE_BUNDLE_V03, subject: { digest: digest('v1.0.0') } });
    expect((await referrers('v1.1.0')).manifests).toHaveLength(2);
  });

  it('promote refuses the unsigned image and the one signed by another identity, naming why; nothing changes', async () => {
    const before = await registryState(reg.host, reg.url);
    await expect(release({ action: 'promote', version: 'v1.1.0' })).rejects.toThrow(
      /refused: .*no Sigstore bundle is attached/,
    );
    await expect(release({ action: 'promote', version: 'v1.2.0' })).rejects.toThrow(
      /refused: .*wrong identity or issuer: .*mallory/,
    );
    const lines: string[] = [];
    await expect(release({ action: 'promote', version: 'v1.2.0', dryRun: true }, lines)).rejects.toThrow(
      /\[dry-run\] would refuse/,
    );
    expect(lines.join('\n')).toMatch(/\[dry-run\] attestations of sha256:[0-9a-f]{64}: policy NOT satisfied/);
    expect(await registryState(reg.host, reg.url)).toEqual(before);
  });

  it('promote and create accept the signed image; referrers survive promote, create and rollback (same digest)', async () => {
    const lines: string[] = [];
    await release({ action: 'promote', version: 'v1.0.0' }, lines);
    expect(lines.join('\n')).toContain(`✔ ${SLSA_PROVENANCE_V1}`);
    expect((await skopeoManifest(reg.host, `${REPO}:latest`)).digest).toBe(digest('v1.0.0'));
    await release({ action: 'create', version: 'v1.0.1', from: 'v1.0.0' });
    expect((await skopeoManifest(reg.host, `${REPO}:v1.0.1`)).digest).toBe(digest('v1.0.0'));
    await expect(release({ action: 'create', version: 'v1.3.0', from: 'v1.1.0' })).rejects.toThrow(
      /no Sigstore bundle/,
    );
    await release({ action: 'rollback', version: 'v1.1.0', requireAttestations: undefined });
    expect((await skopeoManifest(reg.host, `${REPO}:latest`)).digest).toBe(digest('v1.1.0'));
    const kept = await referrers('v1.0.0');
    expect(kept.manifests).toHaveLength(3);
    for (const m of kept.manifests)
      expect((await skopeoManifest(reg.host, `${REPO}@${m.digest}`)).manifest).toMatchObject({
        subject: { digest: digest('v1.0.0') },
      });
    await release({ action: 'promote', version: 'v1.0.1' });
    expect((await skopeoManifest(reg.host, `${REPO}:latest`)).digest).toBe(digest('v1.0.0'));
  });

  it('nx-release-publish refuses an unsigned build before pushing anything, and publishes a signed one', async () => {
    const publish = (made: MadeLayout) =>
      runReleasePublish(
        {
          outputPath: made.outputPath,
          registry: reg.host,
          repository: 'hamigames/lucid',
          requireAttestations: POLICY,
          nxReleaseVersionData: { [PROJECT]: { currentVersion: '1.2.0', newVersion: '2.0.0' } },
        },
        executorContext(made.root, PROJECT),
        { env, log: () => undefined },
      );
    const unsigned = await layoutFor('v2.0.0');
    const before = await registryState(reg.host, reg.url);
    await expect(publish(unsigned.made)).rejects.toThrow(/refused: .*no Sigstore bundle is attached/);
    expect(await registryState(reg.host, reg.url)).toEqual(before);
    const signed = await layoutFor('v2.0.0', CI);
    await push('v2.0.0', signed.made, signed.bundles, false);
    await expect(publish(signed.made)).resolves.toMatchObject({ published: true, version: '2.0.0' });
    expect((await skopeoManifest(reg.host, `${REPO}:v2.0.0`)).digest).toBe(signed.made.metadata.index.digest);
  });

  it('release list shows what each version carries', async () => {
    const lines: string[] = [];
    await release({ action: 'list' }, lines);
    expect(lines.join('\n')).toMatch(/v1\.0\.0 .*signed: https:\/\/slsa\.dev\/provenance\/v1/);
    expect(lines.join('\n')).toMatch(
      /v1\.1\.0 .*unsigned: https:\/\/slsa\.dev\/provenance\/v1, https:\/\/cyclonedx\.org\/bom/,
    );
  });
});
