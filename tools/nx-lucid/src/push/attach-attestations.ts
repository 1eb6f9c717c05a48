/**
 * After the index is pushed: its attestations as OCI referrers of that digest in every registry — the SLSA v1
 * provenance of the build and the scan's CycloneDX SBOM as unsigned in-toto statements, and any Sigstore bundles
 * given (signed elsewhere, e.g. by a signer in CI) as actions/attest stores them. Attaching is idempotent: the
 * statements hold no time, so a rerun writes the same manifests and adds nothing to the referrers list.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildMetadata } from '../artifacts/metadata';
import {
  BUNDLE_CONTENT_ANNOTATION,
  BUNDLE_PREDICATE_ANNOTATION,
  IN_TOTO_MEDIA_TYPE,
  IN_TOTO_PREDICATE_ANNOTATION,
  InTotoStatement,
  provenanceStatement,
  sbomStatement,
  SIGSTORE_BUNDLE_V03,
  statementNames,
  statementSchema,
} from '../oci/in-toto';
import { platformString } from '../oci/types';
import type { RegistryClient } from '../registry/client';
import { ArtifactToAttach, Referrers } from '../registry/referrers';
import { TagLocks } from '../registry/tag-lock';

/** Where the scan writes the SBOM (relative to the build output). */
export const SBOM_FILE = 'scan/sbom.cdx.json';

export interface AttachInputs {
  workspaceRoot: string;
  outputPath: string;
  metadata: BuildMetadata;
  /** Workspace-relative Sigstore bundle files (JSON) to attach as they are. */
  bundles: string[];
  env: NodeJS.ProcessEnv;
  dryRun: boolean;
  stateDir: string;
  /** The provenance and SBOM statements too (attachAttestations), not only the bundles given. */
  statements: boolean;
}

/** runDetails.builder.id: the GitHub Actions run when there is one, else this plugin on this machine. */
export function builderId(env: NodeJS.ProcessEnv): string {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run, GITHUB_RUN_ATTEMPT: attempt } = env;
  if (server && repo && run) return `${server}/${repo}/actions/runs/${run}/attempts/${attempt ?? '1'}`;
  return 'https://github.com/hamigames/lucid/tree/main/tools/nx-lucid#local';
}

const statementArtifact = (s: InTotoStatement): ArtifactToAttach => ({
  artifactType: IN_TOTO_MEDIA_TYPE,
  layer: { mediaType: IN_TOTO_MEDIA_TYPE, bytes: Buffer.from(JSON.stringify(s)) },
  annotations: { [IN_TOTO_PREDICATE_ANNOTATION]: s.predicateType },
});

/** A Sigstore bundle file: its DSSE statement must name the pushed digest. */
function bundleArtifact(root: string, file: string, digest: string): ArtifactToAttach {
  const bytes = readFileSync(join(root, file));
  let statement: InTotoStatement;
  try {
    const bundle = JSON.parse(bytes.toString('utf8')) as { dsseEnvelope?: { payload?: string } };
    statement = statementSchema.parse(JSON.parse(Buffer.from(bundle.dsseEnvelope?.payload ?? '', 'base64').toString()));
  } catch (e) {
    throw new Error(
      `${file}: not a Sigstore bundle with a DSSE in-toto statement (${(e as Error).message.split('\n')[0]})`,
      { cause: e },
    );
  }
  if (!statementNames(statement, digest))
    throw new Error(`${file}: its statement is not about ${digest}; nothing attached`);
  return {
    artifactType: SIGSTORE_BUNDLE_V03,
    layer: { mediaType: SIGSTORE_BUNDLE_V03, bytes },
    annotations: {
      [BUNDLE_CONTENT_ANNOTATION]: 'dsse-envelope',
      [BUNDLE_PREDICATE_ANNOTATION]: statement.predicateType,
    },
  };
}

/** The artifacts to attach, and a note for each that is not there (no SBOM written by the scan). */
export function plannedArtifacts(inputs: AttachInputs): { artifacts: ArtifactToAttach[]; notes: string[] } {
  const { metadata: m, workspaceRoot: root } = inputs;
  const bundles = inputs.bundles.map((file) => bundleArtifact(root, file, m.index.digest));
  if (!inputs.statements) return { artifacts: bundles, notes: [] };
  const { artifacts, notes } = statementArtifacts(inputs);
  return { artifacts: [...artifacts, ...bundles], notes };
}

function statementArtifacts(inputs: AttachInputs): { artifacts: ArtifactToAttach[]; notes: string[] } {
  const { metadata: m, workspaceRoot: root, outputPath, env } = inputs;
  const source = m.labels['org.opencontainers.image.source'];
  const provenance = provenanceStatement({
    image: m.image,
    digest: m.index.digest,
    ...(source ? { source: { uri: source, revision: m.gitSha } } : {}),
    base: m.base,
    platforms: m.manifests.map((x) => platformString(x.platform)),
    engine: m.engine,
    builderId: builderId(env),
  });
  const artifacts = [statementArtifact(provenance)];
  const notes: string[] = [];
  const sbomFile = join(root, outputPath, SBOM_FILE);
  if (existsSync(sbomFile)) {
    let sbom: unknown;
    try {
      sbom = JSON.parse(readFileSync(sbomFile, 'utf8'));
    } catch (e) {
      throw new Error(`${outputPath}/${SBOM_FILE}: not JSON (${(e as Error).message}); rerun the scan`, { cause: e });
    }
    artifacts.push(statementArtifact(sbomStatement(m.image, m.index.digest, sbom)));
  } else notes.push(`no ${outputPath}/${SBOM_FILE} (the scan writes it): the SBOM is not attached`);
  return { artifacts, notes };
}

/** Attaches every planned artifact to the index in one registry (prints each on --dry-run instead). */
export async function attachAttestations(
  client: RegistryClient,
  repository: string,
  image: string,
  planned: { artifacts: ArtifactToAttach[]; notes: string[] },
  inputs: AttachInputs,
  say: (line: string) => void,
): Promise<void> {
  const { index } = inputs.metadata;
  for (const note of planned.notes) say(`  attestations: ${note}`);
  const locks = new TagLocks(inputs.stateDir, client.registry);
  const referrers = new Referrers(client, { lock: (repo, tag) => locks.acquire(repo, tag) });
  for (const a of planned.artifacts) {
    const what = `${a.annotations?.[BUNDLE_PREDICATE_ANNOTATION] ?? a.annotations?.[IN_TOTO_PREDICATE_ANNOTATION]} (${a.artifactType === SIGSTORE_BUNDLE_V03 ? 'Sigstore bundle' : 'unsigned in-toto statement'})`;
    if (inputs.dryRun) {
      say(`  [dry-run] would attach ${what} to ${image}@${index.digest}`);
      continue;
    }
    const done = await referrers.attach(
      repository,
      { mediaType: index.mediaType, digest: index.digest, size: index.size },
      a,
    );
    say(
      `  ✔ ${done.added ? 'attached' : 'already attached:'} ${what} ${done.descriptor.digest} (${done.via === 'api' ? 'referrers API' : 'referrers tag schema'})`,
    );
  }
}
