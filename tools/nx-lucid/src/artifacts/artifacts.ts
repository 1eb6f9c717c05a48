/**
 * Every file an executor writes for a later step, with its zod schema (artifact.ts writes and reads them).
 * (scan/report.json, report.sarif and trivy/*.json are Trivy's formats, checked where they are parsed;
 * scan/sbom.cdx.json is CycloneDX, assembled by the scan from Trivy's per-platform output: sbom.ts.)
 */
import { join } from 'node:path';
import { artifact } from './artifact';
import { METADATA_ARTIFACT } from './metadata-artifact';
import { pushRecordSchema } from './push-record';
import { releaseRecordSchema } from './release-record';
import { cycloneDxSchema, SBOM_FILE } from './sbom';
import { OUTCOME_FILE, scanOutcomeSchema } from './scan-outcome';
import { verifyRecordSchema } from './verify-record';

export { readArtifact, writeArtifact } from './artifact';
export type { Artifact } from './artifact';

export const ARTIFACTS = {
  metadata: METADATA_ARTIFACT,
  push: artifact('push.json', pushRecordSchema, 'push record'),
  release: artifact('release.json', releaseRecordSchema, 'release record'),
  verify: artifact('verify.json', verifyRecordSchema, 'verify report'),
  gate: artifact(join('scan', OUTCOME_FILE), scanOutcomeSchema, 'scan gate outcome'),
  sbom: artifact(join('scan', SBOM_FILE), cycloneDxSchema, 'CycloneDX SBOM'),
};
