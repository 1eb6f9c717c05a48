import { z } from 'zod';
import { severitySchema } from '../config/options';

const ruleSchema = z.object({
  file: z.string().nullable(),
  line: z.number(),
  id: z.string(),
  expires: z.string().nullable(),
  statement: z.string().nullable(),
});

/** scan/gate.json: the machine-readable verdict beside the report, read by the main job and by people. */
export const scanOutcomeSchema = z.object({
  schemaVersion: z.literal(1),
  project: z.string(),
  /** What Trivy looked at: the OCI layout (with its index digest) or a registry reference. */
  target: z.object({ kind: z.enum(['oci-layout', 'image-ref']), ref: z.string(), digest: z.string().nullable() }),
  platforms: z.array(z.string()),
  trivyVersion: z.string().nullable(),
  policy: z.object({
    enabled: z.boolean(),
    cvssThreshold: z.number(),
    severity: severitySchema,
    ignoreUnfixed: z.boolean(),
    ignoreStatuses: z.array(z.string()).optional(),
  }),
  passed: z.boolean(),
  findings: z.number().int(),
  counts: z.record(z.string(), z.number()),
  failing: z.array(
    z.object({
      id: z.string(),
      pkgName: z.string(),
      installedVersion: z.string(),
      fixedVersion: z.string().nullable(),
      severity: severitySchema,
      cvss: z.object({ score: z.number(), source: z.string(), version: z.string() }).nullable(),
      reasons: z.array(z.enum(['cvss', 'severity'])),
      platforms: z.array(z.string()).optional(),
    }),
  ),
  /** Every ignored finding with what dropped it: an ignore-file rule (with its expiry) or a status. */
  ignored: z.array(
    z.object({
      kind: z.enum(['vulnerability', 'secret', 'misconfiguration']).optional(),
      id: z.string(),
      pkgName: z.string(),
      severity: severitySchema.optional(),
      platforms: z.array(z.string()).optional(),
      by: z.enum(['ignore-file', 'unfixed', 'status']),
      line: z.number().nullable(),
      status: z.string().nullable().optional(),
      rule: ruleSchema.nullable().optional(),
    }),
  ),
  expiredIgnores: z.array(z.object({ id: z.string(), line: z.number(), expires: z.string() })),
  warnings: z.array(z.string()).optional(),
  secrets: z.number().int(),
  misconfigurations: z.number().int().optional(),
  sarif: z.enum(['trivy convert', 'built-in']),
  /** Set when report.sarif was cut to GitHub's code scanning limits. */
  sarifCut: z
    .object({ total: z.number(), kept: z.number(), leftOut: z.number(), gzippedBytes: z.number() })
    .nullable()
    .optional(),
});
export type ScanOutcome = z.infer<typeof scanOutcomeSchema>;
export const OUTCOME_FILE = 'gate.json';
