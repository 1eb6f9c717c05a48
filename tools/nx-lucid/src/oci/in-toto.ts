/**
 * In-toto statements (v1) about a pushed image index, and how they travel as OCI referrers: the SLSA v1 provenance
 * (https://slsa.dev/spec/v1.0/provenance: buildDefinition = what went in, runDetails.builder = who built it) and
 * the CycloneDX SBOM; unsigned as `application/vnd.in-toto+json`, signed as a Sigstore bundle (DSSE envelope), with
 * the annotations actions/attest writes, so `gh attestation verify`, cosign and our policy read either.
 */
import { z } from 'zod';
import { digestSchema } from './digest';

export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const CYCLONEDX_BOM = 'https://cyclonedx.org/bom';
/** The build type our provenance describes (its externalParameters' schema is this file's provenanceStatement). */
export const LUCID_BUILD_TYPE = 'https://github.com/hamigames/lucid/nx-lucid/container-build@v1';

/** Artifact types and annotations of the referrers, as actions/attest (@sigstore/oci) writes them. */
export const SIGSTORE_BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const IN_TOTO_MEDIA_TYPE = 'application/vnd.in-toto+json';
export const BUNDLE_PREDICATE_ANNOTATION = 'dev.sigstore.bundle.predicateType';
export const BUNDLE_CONTENT_ANNOTATION = 'dev.sigstore.bundle.content';
export const IN_TOTO_PREDICATE_ANNOTATION = 'in-toto.io/predicate-type';

export const statementSchema = z
  .object({
    _type: z.string(),
    subject: z.array(z.object({ name: z.string().optional(), digest: z.record(z.string(), z.string()) })).min(1),
    predicateType: z.string().min(1),
    predicate: z.unknown().optional(),
  })
  .passthrough();
export type InTotoStatement = z.infer<typeof statementSchema>;

/** What the build took in and who ran it: the provenance's parameters. */
export interface ProvenanceInput {
  /** Image name without tag (the subject's name). */
  image: string;
  digest: string;
  dockerfile?: string;
  /** The git repository (https URL) and revision the context was taken from. */
  source?: { uri: string; revision: string | null };
  base?: { ref: string; digest: string | null } | null;
  platforms: string[];
  engine: { name: string; version: string };
  /** runDetails.builder.id: the CI workflow run's URL, else this plugin on this machine. */
  builderId: string;
  invocationId?: string;
  startedOn?: string;
  finishedOn?: string;
}

const subjectOf = (image: string, digest: string) => [
  { name: image, digest: { sha256: digestSchema.parse(digest).slice('sha256:'.length) } },
];

export function provenanceStatement(input: ProvenanceInput): InTotoStatement {
  const resolvedDependencies = [
    ...(input.source?.revision
      ? [{ uri: `git+${input.source.uri}`, digest: { gitCommit: input.source.revision } }]
      : []),
    ...(input.base?.digest
      ? [{ uri: `pkg:docker/${input.base.ref}`, digest: { sha256: input.base.digest.slice('sha256:'.length) } }]
      : []),
  ];
  return {
    _type: IN_TOTO_STATEMENT_V1,
    subject: subjectOf(input.image, input.digest),
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: LUCID_BUILD_TYPE,
        externalParameters: {
          ...(input.dockerfile ? { dockerfile: input.dockerfile } : {}),
          ...(input.source ? { source: input.source } : {}),
          platforms: input.platforms,
        },
        internalParameters: { engine: input.engine },
        resolvedDependencies,
      },
      runDetails: {
        builder: { id: input.builderId },
        metadata: {
          ...(input.invocationId ? { invocationId: input.invocationId } : {}),
          ...(input.startedOn ? { startedOn: input.startedOn } : {}),
          ...(input.finishedOn ? { finishedOn: input.finishedOn } : {}),
        },
      },
    },
  };
}

/** The CycloneDX SBOM (the scan's sbom.cdx.json) as the predicate of a statement about the image index. */
export function sbomStatement(image: string, digest: string, bom: unknown): InTotoStatement {
  return {
    _type: IN_TOTO_STATEMENT_V1,
    subject: subjectOf(image, digest),
    predicateType: CYCLONEDX_BOM,
    predicate: bom,
  };
}

/** True when one of the statement's subjects is this digest (sha256). */
export function statementNames(statement: InTotoStatement, digest: string): boolean {
  const hex = digest.replace(/^sha256:/, '');
  return statement.subject.some((s) => s.digest.sha256 === hex);
}
