/**
 * The release policy on signed attestations: bundles signed through the Sigstore stand-in (@sigstore/mock's CA, log
 * and TSA; the real services are unreachable here) by the real @sigstore/sign, attached as referrers to an index in
 * the in-process stand-in registry, verified by @sigstore/verify.
 */
import { releaseOptions } from './testing/release-options';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttestationPolicyOptions } from '../config/options';
import { sha256Digest } from '../oci/digest';
import {
  BUNDLE_CONTENT_ANNOTATION,
  BUNDLE_PREDICATE_ANNOTATION,
  CYCLONEDX_BOM,
  SIGSTORE_BUNDLE_V03,
  SLSA_PROVENANCE_V1,
  provenanceStatement,
} from '../oci/in-toto';
import type { Descriptor } from '../oci/types';
import { RegistryClient } from '../registry/client';
import { Referrers } from '../registry/referrers';
import { MemoryRegistry, startMemoryRegistry, storeManifest } from '../registry/testing/memory-registry';
import { policyVerifier, verifyAttestations } from './attestation-policy';
import { ReleaseOptions, runReleaseAction } from './run-release';
import { GITHUB_ISSUER, SigstoreStandIn, startSigstoreStandIn } from './testing/sigstore-stand-in';

const REPO = 'acme/app/api';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const CI = 'https://github.com/acme/app/.github/workflows/ci.yml@refs/heads/main';
const OTHER = 'https://github.com/mallory/fork/.github/workflows/ci.yml@refs/heads/main';

let sigstore: SigstoreStandIn;
let reg: MemoryRegistry;
let root: string;
beforeAll(async () => {
  sigstore = await startSigstoreStandIn();
  root = mkdtempSync(join(tmpdir(), 'lucid-policy-'));
  writeFileSync(join(root, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
});
afterAll(async () => {
  await sigstore?.close();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(async () => {
  reg = await startMemoryRegistry({ referrersApi: false });
});
afterEach(() => reg.close());

const policy = (over: Partial<AttestationPolicyOptions> = {}): AttestationPolicyOptions => ({
  predicateTypes: [SLSA_PROVENANCE_V1],
  certificateIssuer: GITHUB_ISSUER,
  certificateIdentity: CI,
  trustedRoot: 'trusted_root.json',
  ...over,
});
const client = () => new RegistryClient({ registry: reg.host, retry: { retries: 0 } });

function pushIndex(n: number, tag: string): Descriptor {
  const doc = { schemaVersion: 2, mediaType: INDEX, manifests: [], annotations: { n: String(n) } };
  return { mediaType: INDEX, digest: storeManifest(reg, REPO, doc, tag), size: JSON.stringify(doc).length };
}

async function attachSigned(subject: Descriptor, opts: { identity?: string; about?: string; type?: string } = {}) {
  const statement = {
    ...provenanceStatement({
      image: `${reg.host}/${REPO}`,
      digest: opts.about ?? subject.digest,
      platforms: ['linux/amd64'],
      engine: { name: 'buildah', version: '1' },
      builderId: 'https://github.com/acme/app/actions/runs/1/attempts/1',
    }),
    ...(opts.type ? { predicateType: opts.type } : {}),
  };
  const bundle = await sigstore.signStatement(statement, { subject: opts.identity ?? CI, issuer: GITHUB_ISSUER });
  await new Referrers(client()).attach(REPO, subject, {
    artifactType: SIGSTORE_BUNDLE_V03,
    layer: { mediaType: SIGSTORE_BUNDLE_V03, bytes: Buffer.from(JSON.stringify(bundle)) },
    annotations: {
      [BUNDLE_CONTENT_ANNOTATION]: 'dsse-envelope',
      [BUNDLE_PREDICATE_ANNOTATION]: statement.predicateType,
    },
  });
  return bundle;
}

const verdictOf = (digest: string, p = policy()) =>
  verifyAttestations(client(), REPO, digest, p, policyVerifier(p, root));

describe('requireAttestations: Sigstore bundles attached to the digest, verified', () => {
  it('passes a provenance bundle signed by the CI identity (exact SAN, or a regular expression)', async () => {
    const image = pushIndex(1, 'v1.0.0');
    await attachSigned(image);
    const verdict = await verdictOf(image.digest);
    expect(verdict.problems).toEqual([]);
    expect(verdict.findings).toEqual([expect.objectContaining({ predicateType: SLSA_PROVENANCE_V1, identity: CI })]);
    const byRegExp = policy({
      certificateIdentity: undefined,
      certificateIdentityRegExp: '^https://github\\.com/acme/app/.+',
    });
    expect((await verdictOf(image.digest, byRegExp)).passed).toBe(true);
  });

  it('reads the bundles through the referrers API where the registry has one (in-process stand-in)', async () => {
    await reg.close();
    reg = await startMemoryRegistry({ referrersApi: true });
    const image = pushIndex(9, 'v9.0.0');
    await attachSigned(image);
    expect([...reg.tags.keys()].some((t) => t.includes(':sha256-'))).toBe(false);
    expect((await verdictOf(image.digest)).passed).toBe(true);
    expect(reg.requests).toContain(`GET /v2/${REPO}/referrers/${image.digest}`);
  });

  it('refuses an image with no bundle, naming it', async () => {
    const image = pushIndex(2, 'v2.0.0');
    const verdict = await verdictOf(image.digest);
    expect(verdict.passed).toBe(false);
    expect(verdict.problems).toEqual([`${SLSA_PROVENANCE_V1}: no Sigstore bundle is attached to the image`]);
  });

  it('refuses a bundle signed by another identity or another issuer', async () => {
    const image = pushIndex(3, 'v3.0.0');
    await attachSigned(image, { identity: OTHER });
    const verdict = await verdictOf(image.digest);
    expect(verdict.passed).toBe(false);
    expect(verdict.problems[0]).toMatch(/wrong identity or issuer: .*mallory/);
    const otherIssuer = await verdictOf(
      image.digest,
      policy({ certificateIdentity: OTHER, certificateIssuer: 'https://gitlab.com' }),
    );
    expect(otherIssuer.problems[0]).toMatch(/wrong identity or issuer/);
  });

  it('matches the identity whole: not a longer SAN that starts with it, nor one its dots would match', async () => {
    const image = pushIndex(10, 'v10.0.0');
    // Anyone who can push a branch could sign from refs/heads/main-evil; `.` must not stand for any character.
    await attachSigned(image, { identity: `${CI}-evil` });
    await attachSigned(image, { identity: CI.replace('github.com', 'githubXcom') });
    const exact = await verdictOf(image.digest);
    expect(exact.passed).toBe(false);
    expect(exact.findings.map((f) => f.problem)).toEqual([
      expect.stringMatching(/wrong identity or issuer/),
      expect.stringMatching(/wrong identity or issuer/),
    ]);
    const unanchored = policy({
      certificateIdentity: undefined,
      certificateIdentityRegExp: 'https://github\\.com/acme/app/\\.github/workflows/ci\\.yml@refs/heads/main',
    });
    expect((await verdictOf(image.digest, unanchored)).passed).toBe(false);
  });

  it('refuses a statement about another digest, and a bundle of another predicate type', async () => {
    const image = pushIndex(4, 'v4.0.0');
    await attachSigned(image, { about: sha256Digest('another image') });
    expect((await verdictOf(image.digest)).problems[0]).toContain(
      `subject digest mismatch: the statement names ${sha256Digest('another image')}, not ${image.digest}`,
    );
    const sbomOnly = pushIndex(5, 'v5.0.0');
    await attachSigned(sbomOnly, { type: CYCLONEDX_BOM });
    expect((await verdictOf(sbomOnly.digest)).problems).toEqual([
      `${SLSA_PROVENANCE_V1}: no bundle with this predicate type (attached: ${CYCLONEDX_BOM})`,
    ]);
  });

  it('refuses a bundle whose signed payload was altered (bad signature)', async () => {
    const image = pushIndex(6, 'v6.0.0');
    const signed = (await sigstore.signStatement(
      provenanceStatement({
        image: REPO,
        digest: sha256Digest('x'),
        platforms: [],
        engine: { name: 'b', version: '1' },
        builderId: 'b',
      }),
      { subject: CI, issuer: GITHUB_ISSUER },
    )) as { dsseEnvelope: { payload: string } };
    const forged = provenanceStatement({
      image: REPO,
      digest: image.digest,
      platforms: [],
      engine: { name: 'b', version: '1' },
      builderId: 'b',
    });
    signed.dsseEnvelope.payload = Buffer.from(JSON.stringify(forged)).toString('base64');
    await new Referrers(client()).attach(REPO, image, {
      artifactType: SIGSTORE_BUNDLE_V03,
      layer: { mediaType: SIGSTORE_BUNDLE_V03, bytes: Buffer.from(JSON.stringify(signed)) },
    });
    const verdict = await verdictOf(image.digest);
    expect(verdict.passed).toBe(false);
    expect(verdict.problems[0]).toMatch(/bad signature \(/);
  });
});

describe('promote under requireAttestations', () => {
  const options = (over: Partial<ReleaseOptions>): ReleaseOptions =>
    releaseOptions(reg.host, {
      repository: 'acme/app',
      insecureRegistries: [],
      requireAttestations: policy(),
      ...over,
    });

  it('refuses an unsigned version (non-zero, names the reason) and writes nothing; --dry-run reports the verdict', async () => {
    pushIndex(7, 'v7.0.0');
    const lines: string[] = [];
    const run = (dryRun: boolean) =>
      runReleaseAction('api', options({ action: 'promote', version: 'v7.0.0', dryRun }), {
        workspaceRoot: root,
        env: {},
        log: (l) => lines.push(l),
      });
    await expect(run(true)).rejects.toThrow(/\[dry-run\] would refuse: .*no Sigstore bundle is attached/);
    await expect(run(false)).rejects.toThrow(
      /^refused: .*does not satisfy requireAttestations \(nothing was changed\)/,
    );
    expect(lines).toContain('[dry-run] attestations of ' + reg.tags.get(`${REPO}:v7.0.0`) + ': policy NOT satisfied');
    expect(reg.tags.has(`${REPO}:latest`)).toBe(false);
    expect(reg.requests.filter((r) => r.startsWith('PUT') || r.startsWith('POST'))).toEqual([]);
  });

  it('promotes a signed version', async () => {
    const image = pushIndex(8, 'v8.0.0');
    await attachSigned(image);
    await runReleaseAction('api', options({ action: 'promote', version: 'v8.0.0' }), {
      workspaceRoot: root,
      env: {},
      log: () => undefined,
    });
    expect(reg.tags.get(`${REPO}:latest`)).toBe(image.digest);
  });
});
