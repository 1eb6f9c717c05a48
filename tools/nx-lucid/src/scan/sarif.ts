import { formatCvss } from './cvss';
import { collectFindings, Finding } from './gate';
import { IgnoreList } from './ignore-file';
import { Severity, TrivyReport } from './report';

/**
 * Our own Trivy JSON → SARIF 2.1.0 conversion, used when `trivy convert` is unavailable or fails.
 * It follows what `trivy convert --format sarif` writes (one rule per vulnerability ID, one result per
 * package, the image as the artifact location under ROOTPATH, `security-severity` from the CVSS score)
 * so GitHub code scanning treats both the same. Findings ignored by active ignore-file entries are left out,
 * as Trivy leaves them out.
 */
export interface SarifLog {
  version: '2.1.0';
  $schema: string;
  runs: unknown[];
}

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0-rtm.5.json';

/** Trivy's severity → SARIF level mapping (pkg/report/sarif.go). */
export function sarifLevel(s: Severity): 'error' | 'warning' | 'note' | 'none' {
  switch (s) {
    case 'CRITICAL':
    case 'HIGH':
      return 'error';
    case 'MEDIUM':
      return 'warning';
    case 'LOW':
    case 'UNKNOWN':
      return 'note';
  }
}

/** GitHub's `security-severity` is a CVSS-like 0.0–10.0 string; without a score, Trivy uses these per severity. */
const SEVERITY_SCORE: Record<Severity, string> = { CRITICAL: '9.5', HIGH: '8.0', MEDIUM: '5.5', LOW: '2.0', UNKNOWN: '0.0' };

/** A relative URI reference for the artifact: the image name without scheme characters that break uri-reference. */
function artifactUri(name: string): string {
  return encodeURI(name.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')).replace(/:/g, '%3A');
}

function ruleFor(f: Finding) {
  const text = f.title || f.vulnerability.Description || f.id;
  const help = [
    `Vulnerability ${f.id}`,
    `Severity: ${f.severity}`,
    `Package: ${f.pkgName}`,
    `Fixed Version: ${f.fixedVersion ?? ''}`,
    `Score: ${formatCvss(f.cvss)}`,
    f.url ? `Link: [${f.id}](${f.url})` : undefined,
    f.vulnerability.Description,
  ]
    .filter((l): l is string => l !== undefined)
    .join('\n');
  return {
    id: f.id,
    name: 'OsPackageVulnerability',
    shortDescription: { text },
    fullDescription: { text: f.vulnerability.Description || text },
    defaultConfiguration: { level: sarifLevel(f.severity) },
    ...(f.url ? { helpUri: f.url } : {}),
    help: { text: help, markdown: help.replace(/\n/g, '\n\n') },
    properties: {
      precision: 'very-high',
      'security-severity': f.cvss ? f.cvss.score.toFixed(1) : SEVERITY_SCORE[f.severity],
      tags: ['vulnerability', 'security', f.severity],
      ...(f.cvss ? { cvss: { score: f.cvss.score, source: f.cvss.source, version: f.cvss.version, vector: f.cvss.vector } } : {}),
    },
  };
}

export function toSarif(report: TrivyReport, ignores: IgnoreList = { active: [], expired: [] }, toolVersion?: string): SarifLog {
  const ignoredIds = new Set(ignores.active.map((e) => e.id));
  const findings = collectFindings(report).filter((f) => !ignoredIds.has(f.id));
  const rules: ReturnType<typeof ruleFor>[] = [];
  const ruleIndex = new Map<string, number>();
  const uri = artifactUri(report.ArtifactName);
  const results = findings.map((f) => {
    if (!ruleIndex.has(f.id)) {
      ruleIndex.set(f.id, rules.length);
      rules.push(ruleFor(f));
    }
    const message = [
      `Package: ${f.pkgName}`,
      `Installed Version: ${f.installedVersion}`,
      `Vulnerability ${f.id}`,
      `Severity: ${f.severity}`,
      `Fixed Version: ${f.fixedVersion ?? ''}`,
      f.url ? `Link: [${f.id}](${f.url})` : undefined,
    ]
      .filter((l): l is string => l !== undefined)
      .join('\n');
    return {
      ruleId: f.id,
      ruleIndex: ruleIndex.get(f.id)!,
      level: sarifLevel(f.severity),
      message: { text: message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri, uriBaseId: 'ROOTPATH' },
            region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
          },
          message: { text: `${report.ArtifactName}: ${f.pkgName}@${f.installedVersion} (${f.targets.join(', ')})` },
        },
      ],
    };
  });
  const imageProps: Record<string, unknown> = { imageName: report.ArtifactName };
  if (report.Metadata?.ImageID) imageProps.imageID = report.Metadata.ImageID;
  if (report.Metadata?.RepoDigests?.length) imageProps.repoDigests = report.Metadata.RepoDigests;
  if (report.Metadata?.RepoTags?.length) imageProps.repoTags = report.Metadata.RepoTags;
  return {
    version: '2.1.0',
    $schema: SARIF_SCHEMA_URI,
    runs: [
      {
        tool: {
          driver: {
            name: 'Trivy',
            fullName: 'Trivy Vulnerability Scanner (converted by @lucid/nx-lucid)',
            informationUri: 'https://github.com/aquasecurity/trivy',
            ...(toolVersion ? { version: toolVersion } : {}),
            rules,
          },
        },
        results,
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { ROOTPATH: { uri: 'file:///' } },
        properties: imageProps,
      },
    ],
  };
}
