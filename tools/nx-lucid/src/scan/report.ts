import { z } from 'zod';
import { formatIssues } from '../config/options';

/**
 * Trivy's JSON report, schema version 2 (pkg/types/report.go in aquasecurity/trivy).
 * Only the fields the gate, SARIF and summary read are typed; everything else passes through untouched,
 * so a newer Trivy that adds fields still parses, while a missing required field fails loudly.
 */
export const SEVERITIES = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severityEnum = z.enum(SEVERITIES);

/** One source's assessment (trivy-db pkg/types CVSS): V2, V3 and V4.0 vectors and base scores. */
export const trivyCvssSchema = z.looseObject({
  V2Vector: z.string().optional(),
  V3Vector: z.string().optional(),
  V40Vector: z.string().optional(),
  V2Score: z.number().min(0).max(10).optional(),
  V3Score: z.number().min(0).max(10).optional(),
  V40Score: z.number().min(0).max(10).optional(),
});

export const trivyVulnerabilitySchema = z.looseObject({
  VulnerabilityID: z.string().min(1),
  PkgID: z.string().optional(),
  PkgName: z.string().min(1),
  /** The package's PURL, matched by the ignore file's `purls`. */
  PkgIdentifier: z.looseObject({ PURL: z.string().optional(), UID: z.string().optional() }).optional(),
  /** Set for language packages found in a file other than the result's target (jar, node_modules…). */
  PkgPath: z.string().optional(),
  InstalledVersion: z.string().default(''),
  /** Omitted (or empty) when the vendor has no fix. */
  FixedVersion: z.string().optional(),
  Status: z.string().optional(),
  Severity: severityEnum,
  SeveritySource: z.string().optional(),
  PrimaryURL: z.string().optional(),
  Title: z.string().optional(),
  Description: z.string().optional(),
  CweIDs: z.array(z.string()).nullish(),
  VendorSeverity: z.record(z.string(), z.number()).nullish(),
  /** Keyed by source: nvd, ghsa, redhat, bitnami, … */
  CVSS: z.record(z.string(), trivyCvssSchema).nullish(),
  References: z.array(z.string()).nullish(),
});

export const trivySecretSchema = z.looseObject({
  RuleID: z.string(),
  Category: z.string().optional(),
  Severity: severityEnum,
  Title: z.string().optional(),
  StartLine: z.number().optional(),
  EndLine: z.number().optional(),
  Match: z.string().optional(),
});

export const trivyMisconfigurationSchema = z.looseObject({
  Type: z.string().optional(),
  ID: z.string(),
  AVDID: z.string().optional(),
  Aliases: z.array(z.string()).nullish(),
  Title: z.string().optional(),
  Description: z.string().optional(),
  Message: z.string().optional(),
  Resolution: z.string().optional(),
  Severity: severityEnum,
  PrimaryURL: z.string().optional(),
  /** FAIL, PASS or EXCEPTION; the JSON report holds failures only unless --include-non-failures. */
  Status: z.string().optional(),
  CauseMetadata: z.looseObject({ StartLine: z.number().optional(), EndLine: z.number().optional() }).optional(),
});

export const trivyLicenseSchema = z.looseObject({
  Severity: severityEnum,
  Category: z.string().optional(),
  PkgName: z.string().optional(),
  FilePath: z.string().optional(),
  Name: z.string(),
  Link: z.string().optional(),
});

export const trivyResultSchema = z.looseObject({
  Target: z.string(),
  Class: z.string().optional(),
  Type: z.string().optional(),
  Vulnerabilities: z.array(trivyVulnerabilitySchema).nullish(),
  Secrets: z.array(trivySecretSchema).nullish(),
  Misconfigurations: z.array(trivyMisconfigurationSchema).nullish(),
  Licenses: z.array(trivyLicenseSchema).nullish(),
});

export const trivyReportSchema = z.looseObject({
  SchemaVersion: z.literal(2),
  Trivy: z.looseObject({ Version: z.string().optional() }).optional(),
  CreatedAt: z.string().optional(),
  ArtifactName: z.string(),
  ArtifactType: z.string().optional(),
  Metadata: z
    .looseObject({
      ImageID: z.string().optional(),
      RepoDigests: z.array(z.string()).nullish(),
      RepoTags: z.array(z.string()).nullish(),
      OS: z.looseObject({ Family: z.string().optional(), Name: z.string().optional() }).nullish(),
    })
    .optional(),
  /** Omitted by Trivy when nothing was found to report on. */
  Results: z.array(trivyResultSchema).nullish(),
});

export type TrivyCvss = z.infer<typeof trivyCvssSchema>;
export type TrivyVulnerability = z.infer<typeof trivyVulnerabilitySchema>;
export type TrivySecret = z.infer<typeof trivySecretSchema>;
export type TrivyMisconfiguration = z.infer<typeof trivyMisconfigurationSchema>;
/** One platform's report of a multi-platform image (platform undefined: a single report). */
export interface PlatformReport {
  platform?: string;
  report: TrivyReport;
}
export const asPlatformReports = (input: TrivyReport | PlatformReport[]): PlatformReport[] =>
  Array.isArray(input) ? input : [{ report: input }];
export type TrivyResult = z.infer<typeof trivyResultSchema>;
export type TrivyReport = z.infer<typeof trivyReportSchema>;

export class ReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportError';
  }
}

/** Why parsed JSON is not a report of schema version 2 ("is not…", "has…"), or undefined. */
export function reportShapeProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return 'is not a Trivy JSON report (expected an object)';
  const version = (raw as Record<string, unknown>).SchemaVersion;
  if (version !== 2)
    return `has SchemaVersion ${JSON.stringify(version)}; only Trivy JSON schema version 2 is understood (use a Trivy release that writes SchemaVersion 2)`;
  return undefined;
}

/**
 * Parses Trivy's JSON output. Empty, truncated or malformed JSON, a SchemaVersion other than 2, or a
 * report missing required fields is an error: a report we cannot read must never pass the gate.
 */
export function parseTrivyReport(text: string, source = 'Trivy report'): TrivyReport {
  if (!text.trim()) throw new ReportError(`${source} is empty: Trivy wrote no report`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ReportError(`${source} is not valid JSON (truncated or malformed): ${(e as Error).message}`);
  }
  const problem = reportShapeProblem(raw);
  if (problem) throw new ReportError(`${source} ${problem}`);
  const parsed = trivyReportSchema.safeParse(raw);
  if (!parsed.success)
    throw new ReportError(`${source} does not match Trivy's JSON schema v2:\n${formatIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * One report for a multi-platform image: Trivy scans one platform manifest per run, so the executor runs it
 * per platform and joins the results here. With one platform the report is returned unchanged; with several,
 * each result's Target gets " [os/arch]" so findings stay attributable, and Metadata is the first platform's.
 */
export function mergePlatformReports(parts: Array<{ platform: string; report: TrivyReport }>): TrivyReport {
  if (parts.length === 0) throw new ReportError('no Trivy report to merge');
  if (parts.length === 1) return parts[0].report;
  const [first] = parts;
  return {
    ...first.report,
    Results: parts.flatMap(({ platform, report }) =>
      (report.Results ?? []).map((r) => ({ ...r, Target: `${r.Target} [${platform}]` })),
    ),
  };
}
