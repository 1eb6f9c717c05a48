/**
 * The release policy `requireAttestations`: before a release names an image index, every required predicate type
 * must have a Sigstore bundle attached to that digest (an OCI referrer, as actions/attest pushes it) that
 * @sigstore/verify accepts — certificate chain to the trusted root, transparency log entry, timestamp, signature over
 * the DSSE envelope, the certificate's issuer and SAN — and whose in-toto statement names the digest. The verdict
 * names what is missing or wrong for each type.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { PolicyError, toSignedEntity, toTrustMaterial, VerificationError, Verifier } from '@sigstore/verify';
import type { AttestationPolicyOptions } from '../config/options';
import { SIGSTORE_BUNDLE_V03, statementNames, statementSchema } from '../oci/in-toto';
import { manifestSchema } from '../oci/types';
import type { RegistryClient } from '../registry/client';
import { Referrers } from '../registry/referrers';

/** One attached bundle, judged. */
export interface BundleFinding {
  referrer: string;
  predicateType?: string;
  /** The certificate's SAN when the signature verified. */
  identity?: string;
  /** Why it does not count; undefined when it verified. */
  problem?: string;
}

export interface AttestationVerdict {
  digest: string;
  passed: boolean;
  findings: BundleFinding[];
  /** One line per required predicate type without a verified bundle. */
  problems: string[];
}

/** The verifier for a policy: its trusted root read once (a missing or malformed file fails here, by name). */
export function policyVerifier(policy: AttestationPolicyOptions, workspaceRoot: string): Verifier {
  const file = join(workspaceRoot, policy.trustedRoot);
  let root: TrustedRoot;
  try {
    root = TrustedRoot.fromJSON(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    throw new Error(`requireAttestations.trustedRoot ${policy.trustedRoot}: ${(e as Error).message}`, { cause: e });
  }
  return new Verifier(toTrustMaterial(root));
}

/**
 * The SAN pattern for @sigstore/verify, which tests it as an unanchored regular expression: an exact identity is
 * escaped and anchored, and a regular expression must match the whole SAN (else `…@refs/heads/main` would also
 * accept `…@refs/heads/main-evil`, a branch anyone with push rights can make).
 */
function identityPattern(policy: AttestationPolicyOptions): RegExp {
  if (policy.certificateIdentity !== undefined)
    return new RegExp(`^${policy.certificateIdentity.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return new RegExp(`^(?:${policy.certificateIdentityRegExp})$`);
}

/** Checks one referrer's bundle: signature and identity (@sigstore/verify), then its statement's subject. */
export function judgeBundle(
  bytes: Buffer,
  digest: string,
  policy: AttestationPolicyOptions,
  verifier: Verifier,
): Omit<BundleFinding, 'referrer'> {
  let bundle;
  let statement;
  try {
    bundle = bundleFromJSON(JSON.parse(bytes.toString('utf8')));
    if (bundle.content.$case !== 'dsseEnvelope') return { problem: 'not a DSSE bundle (no in-toto statement)' };
    statement = statementSchema.parse(JSON.parse(bundle.content.dsseEnvelope.payload.toString('utf8')));
  } catch (e) {
    return { problem: `not a readable Sigstore bundle: ${(e as Error).message.split('\n')[0]}` };
  }
  const predicateType = statement.predicateType;
  const identity = identityPattern(policy);
  try {
    const signer = verifier.verify(toSignedEntity(bundle), {
      subjectAlternativeName: identity,
      extensions: { issuer: policy.certificateIssuer },
    });
    if (!statementNames(statement, digest)) {
      const named = statement.subject.map((s) => `sha256:${s.digest.sha256 ?? '?'}`).join(', ');
      return { predicateType, problem: `subject digest mismatch: the statement names ${named}, not ${digest}` };
    }
    return { predicateType, identity: signer.identity?.subjectAlternativeName };
  } catch (e) {
    if (e instanceof PolicyError) return { predicateType, problem: `wrong identity or issuer: ${e.message}` };
    if (e instanceof VerificationError) return { predicateType, problem: `bad signature (${e.code}): ${e.message}` };
    throw e;
  }
}

/** Every Sigstore bundle attached to `digest`, judged against the policy; passed when each required type has one. */
export async function verifyAttestations(
  client: RegistryClient,
  repository: string,
  digest: string,
  policy: AttestationPolicyOptions,
  verifier: Verifier,
): Promise<AttestationVerdict> {
  const { referrers } = await new Referrers(client).list(repository, digest, SIGSTORE_BUNDLE_V03);
  const findings: BundleFinding[] = [];
  for (const r of referrers) {
    const manifest = manifestSchema.safeParse(
      JSON.parse((await client.getManifest(repository, r.digest)).bytes.toString()),
    );
    const layer = manifest.success ? manifest.data.layers[0] : undefined;
    if (!layer) {
      findings.push({ referrer: r.digest, problem: 'artifact manifest without a layer' });
      continue;
    }
    const bytes = await client.getBlob(repository, layer.digest);
    findings.push({ referrer: r.digest, ...judgeBundle(bytes, digest, policy, verifier) });
  }
  const problems = policy.predicateTypes.flatMap((type) => missingFor(type, findings, referrers.length));
  return { digest, passed: problems.length === 0, findings, problems };
}

function missingFor(type: string, findings: BundleFinding[], attached: number): string[] {
  if (findings.some((f) => f.predicateType === type && !f.problem)) return [];
  if (attached === 0) return [`${type}: no Sigstore bundle is attached to the image`];
  const ofType = findings.filter((f) => f.predicateType === type);
  if (ofType.length === 0) {
    const others = [...new Set(findings.map((f) => f.predicateType ?? f.problem))].join(', ');
    return [`${type}: no bundle with this predicate type (attached: ${others})`];
  }
  return ofType.map((f) => `${type}: ${f.referrer}: ${f.problem}`);
}

/** The verdict as lines for a log or an error. */
export function describeVerdict(verdict: AttestationVerdict): string[] {
  const lines = verdict.findings.map(
    (f) =>
      `  ${f.problem ? '✗' : '✔'} ${f.predicateType ?? '(unknown)'} ${f.referrer}${f.problem ? `: ${f.problem}` : ` signed by ${f.identity}`}`,
  );
  return [
    `attestations of ${verdict.digest}: ${verdict.passed ? 'policy satisfied' : 'policy NOT satisfied'}`,
    ...lines,
    ...verdict.problems.map((p) => `  missing: ${p}`),
  ];
}

/**
 * The gate of promote, create and nx-release-publish: each digest the release would name is verified first; one
 * that fails stops the release before any tag moves (on --dry-run too: the verdict is printed either way).
 */
export async function enforceAttestationPolicy(
  client: RegistryClient,
  target: { repository: string; image: string },
  digests: string[],
  run: { policy: AttestationPolicyOptions; workspaceRoot: string; dryRun: boolean; say: (line: string) => void },
): Promise<AttestationVerdict[]> {
  const verifier = policyVerifier(run.policy, run.workspaceRoot);
  const verdicts: AttestationVerdict[] = [];
  for (const digest of new Set(digests)) {
    const verdict = await verifyAttestations(client, target.repository, digest, run.policy, verifier);
    for (const line of describeVerdict(verdict)) run.say(`${run.dryRun ? '[dry-run] ' : ''}${line}`);
    verdicts.push(verdict);
  }
  const failed = verdicts.filter((v) => !v.passed);
  if (failed.length)
    throw new Error(
      `${run.dryRun ? '[dry-run] would refuse' : 'refused'}: ${target.image}@${failed.map((v) => v.digest).join(', ')} does not satisfy requireAttestations (nothing was changed): ${failed.flatMap((v) => v.problems).join('; ')}`,
    );
  return verdicts;
}
