import { severityScore } from './cvss';
import { collectFindings, CollectedFindings, Finding, OtherFinding } from './findings';
import { IgnoreConfig, NO_IGNORES } from './ignore-file';
import { PlatformReport, Severity, TrivyReport } from './report';

/**
 * Our own Trivy JSON → SARIF 2.1.0 conversion, used when `trivy convert` is unavailable or fails. It follows
 * Trivy's SARIF writer (pkg/report/sarif.go): one rule per ID, one result per vulnerable package, failed
 * misconfiguration check and secret; rule names by result class; `security-severity` = the V3 score of the
 * source that set the severity, else the severity's stand-in; cvssv*_ properties of that source. Findings an
 * ignore-file rule drops are left out, as `trivy convert --ignorefile` leaves them out (convert has no status
 * filter, so status-ignored findings stay). Across platforms a finding is one result with its worst values.
 */
export interface SarifLog {
  version: '2.1.0';
  $schema: string;
  runs: SarifRun[];
}
export interface SarifRun {
  tool: { driver: { name: string; rules?: SarifRule[]; [k: string]: unknown } };
  results?: SarifResult[];
  [k: string]: unknown;
}
export interface SarifRule {
  id: string;
  properties?: Record<string, unknown>;
  [k: string]: unknown;
}
export interface SarifResult {
  ruleId?: string;
  ruleIndex?: number;
  level?: string;
  [k: string]: unknown;
}

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0-rtm.5.json';
const SECRET_RULES_URL = 'https://github.com/aquasecurity/trivy/blob/main/pkg/fanal/secret/builtin-rules.go';

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

const RULE_NAMES: Record<string, string> = {
  'os-pkgs': 'OsPackageVulnerability',
  'lang-pkgs': 'LanguageSpecificPackageVulnerability',
  config: 'Misconfiguration',
  secret: 'Secret',
  license: 'License',
  'license-file': 'License',
};

/**
 * Trivy's ToPathUri: an OS result's target "img:tag (debian 12.5)" becomes the image repository path; other
 * targets stay paths. Percent-encoded so it is a valid uri-reference.
 */
export function pathUri(target: string, resultClass: string | undefined): string {
  let s = target;
  if (resultClass === 'os-pkgs') {
    s = s.replace(/\s*\(.*?\).*?$/, '');
    const ref =
      /^(?:([^/]*[.:][^/]*|localhost)\/)?([a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*)(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/.exec(
        s,
      );
    if (ref) s = !ref[1] && !ref[2].includes('/') ? `library/${ref[2]}` : ref[2];
  }
  return encodeURI(s.replace(/\\/g, '/')).replace(/:/g, '%3A');
}

const location = (uri: string, message: string, startLine?: number, endLine?: number) => ({
  physicalLocation: {
    artifactLocation: { uri, uriBaseId: 'ROOTPATH' },
    region: { startLine: startLine || 1, startColumn: 1, endLine: endLine || startLine || 1, endColumn: 1 },
  },
  message: { text: message },
});

function cvssProperties(f: Finding): Record<string, unknown> {
  const v = f.vulnerability;
  const c = v.SeveritySource ? v.CVSS?.[v.SeveritySource] : undefined;
  if (!c) return {};
  const all: Record<string, unknown> = {
    cvssv2_vector: c.V2Vector,
    cvssv2_score: c.V2Score,
    cvssv3_vector: c.V3Vector,
    cvssv3_baseScore: c.V3Score,
    cvssv40_vector: c.V40Vector,
    cvssv40_baseScore: c.V40Score,
  };
  return Object.fromEntries(Object.entries(all).filter(([, x]) => x !== undefined && x !== '' && x !== 0));
}

interface Entry {
  id: string;
  ruleName: string;
  title: 'vulnerability' | 'misconfiguration' | 'secret';
  severity: Severity;
  score: string;
  short: string;
  full: string;
  /** The rule's help and extra properties: made only for the entry its rule is made from (the ID's last). */
  help: () => string;
  url?: string;
  extra: () => Record<string, unknown>;
  message: string;
  /** Made only for a result that is written. */
  location: () => ReturnType<typeof location>;
}

function vulnMessage(f: Finding): string {
  const fixed = f.fixedVersion ?? '';
  return `Package: ${f.pkgName}\nInstalled Version: ${f.installedVersion}\nVulnerability ${f.id}\nSeverity: ${f.severity}\nFixed Version: ${fixed}\nLink: [${f.id}](${f.vulnerability.PrimaryURL ?? ''})`;
}

function vulnEntry(f: Finding): Entry {
  const v = f.vulnerability;
  const occ = f.occurrences[0];
  const path = f.pkgPath ? pathUri(f.pkgPath, occ.resultClass) : pathUri(occ.target, occ.resultClass);
  const fixed = f.fixedVersion ?? '';
  return {
    id: f.id,
    ruleName: RULE_NAMES[occ.resultClass ?? ''] ?? 'UnknownIssue',
    title: 'vulnerability',
    severity: f.severity,
    score: f.securitySeverity,
    short: v.Title ?? '',
    full: v.Description || v.Title || '',
    url: v.PrimaryURL,
    extra: () => cvssProperties(f),
    help: () =>
      `Vulnerability ${f.id}\nSeverity: ${f.severity}\nPackage: ${f.pkgName}\nFixed Version: ${fixed}\nLink: [${f.id}](${v.PrimaryURL ?? ''})\n${v.Description ?? ''}`,
    message: vulnMessage(f),
    location: () =>
      location(
        path,
        `${path}: ${f.pkgName}@${f.installedVersion}${f.platforms.length ? ` (${f.platforms.join(', ')})` : ''}`,
      ),
  };
}

const otherUri = (o: OtherFinding) => pathUri(o.target, o.kind === 'secret' ? o.resultClass : undefined);
function otherMessage(o: OtherFinding, uri = otherUri(o)): string {
  return o.kind === 'secret'
    ? `Artifact: ${o.target}\nType: ${o.resultType ?? ''}\nSecret ${o.title ?? ''}\nSeverity: ${o.severity}\nMatch: ${o.detail ?? ''}`
    : `Artifact: ${uri}\nType: ${o.resultType ?? ''}\nVulnerability ${o.id}\nSeverity: ${o.severity}\nMessage: ${o.detail ?? ''}\nLink: [${o.id}](${o.url ?? ''})`;
}

function otherEntry(o: OtherFinding): Entry {
  const isSecret = o.kind === 'secret';
  const uri = otherUri(o);
  return {
    id: o.id,
    ruleName: RULE_NAMES[o.resultClass ?? ''] ?? (isSecret ? 'Secret' : 'Misconfiguration'),
    title: o.kind,
    severity: o.severity,
    score: severityScore(o.severity),
    short: o.title ?? '',
    full: o.detail ?? '',
    url: isSecret ? SECRET_RULES_URL : o.url,
    extra: () => ({}),
    help: () =>
      isSecret
        ? `Secret ${o.title ?? ''}\nSeverity: ${o.severity}\nMatch: ${o.detail ?? ''}`
        : `Misconfiguration ${o.id}\nType: ${o.resultType ?? ''}\nSeverity: ${o.severity}\nCheck: ${o.title ?? ''}\nMessage: ${o.detail ?? ''}\nLink: [${o.id}](${o.url ?? ''})`,
    message: otherMessage(o, uri),
    location: () => location(uri, uri, o.startLine, o.endLine),
  };
}

/** What the SARIF is made of: the findings an ignore-file rule leaves (no status filter, as `trivy convert`). */
export type SarifFindings = Pick<CollectedFindings, 'findings' | 'secrets' | 'misconfigurations'>;

function ruleOf(e: Entry): SarifRule {
  const help = e.help();
  return {
    id: e.id,
    name: e.ruleName,
    shortDescription: { text: e.short || e.id },
    fullDescription: { text: e.full || e.short || e.id },
    defaultConfiguration: { level: sarifLevel(e.severity) },
    ...(e.url ? { helpUri: e.url } : {}),
    help: { text: help, markdown: help.replace(/\n/g, '\n\n') },
    properties: {
      tags: [e.title, 'security', e.severity],
      precision: 'very-high',
      'security-severity': e.score,
      ...e.extra(),
    },
  };
}

/** What one result is made from: a vulnerability finding, or a secret or misconfiguration. */
export type SarifSource = { vuln: Finding; other?: undefined } | { vuln?: undefined; other: OtherFinding };
const entryOf = (s: SarifSource): Entry => (s.vuln ? vulnEntry(s.vuln) : otherEntry(s.other!));
const idOf = (s: SarifSource) => (s.vuln ? s.vuln.id : s.other!.id);
const scoreOf = (s: SarifSource) => (s.vuln ? s.vuln.securitySeverity : severityScore(s.other!.severity));
export const severityOf = (s: SarifSource): Severity => (s.vuln ? s.vuln.severity : s.other!.severity);
/** The result's message (what failingResults reads), without the rest of its entry. */
export const messageOf = (s: SarifSource): string => (s.vuln ? vulnMessage(s.vuln) : otherMessage(s.other!));

/** One result to be: what it is made from and its rule's index. */
export interface PendingResult {
  source: SarifSource;
  ruleIndex: number;
}

export function resultOf({ source, ruleIndex }: PendingResult): SarifResult {
  const e = entryOf(source);
  return {
    ruleId: e.id,
    ruleIndex,
    level: sarifLevel(e.severity),
    message: { text: e.message },
    locations: [e.location()],
  };
}

/**
 * One result per finding, one rule per ID (in the order IDs first appear). Trivy re-applies every field to the
 * rule on each package with that ID (the last one wins); the score alone keeps the worst, so the order packages
 * come in cannot lower it. Each rule is made once, from its ID's last entry. The results are left to be made
 * (resultOf), so a log that must be cut makes only those it keeps, and no finding's entry is held.
 */
function rulesAndEntries(c: SarifFindings): { rules: SarifRule[]; pending: PendingResult[] } {
  const byId = new Map<string, { index: number; last: SarifSource; score: string; repeated: boolean }>();
  const pending: PendingResult[] = [];
  const add = (source: SarifSource) => {
    const id = idOf(source);
    const score = scoreOf(source);
    let r = byId.get(id);
    if (!r) byId.set(id, (r = { index: byId.size, last: source, score, repeated: false }));
    else {
      r.score = Math.max(+score, +r.score).toFixed(1);
      r.last = source;
      r.repeated = true;
    }
    pending.push({ source, ruleIndex: r.index });
  };
  for (const vuln of c.findings) add({ vuln });
  for (const other of c.misconfigurations) add({ other });
  for (const other of c.secrets) add({ other });
  const rules = [...byId.values()].map(({ last, score, repeated }) => {
    const rule = ruleOf(entryOf(last));
    return repeated ? { ...rule, properties: { ...rule.properties, 'security-severity': score } } : rule;
  });
  return { rules, pending };
}

/** The built-in SARIF's rules and its results still to be made, and the log around them (sarifLog). */
export interface SarifParts {
  rules: SarifRule[];
  pending: PendingResult[];
  first?: TrivyReport;
  toolVersion?: string;
}

export function sarifParts(
  input: TrivyReport | PlatformReport[],
  ignores: IgnoreConfig = NO_IGNORES,
  toolVersion?: string,
  collected?: SarifFindings,
): SarifParts {
  const reports = Array.isArray(input) ? input : [{ report: input }];
  const made = rulesAndEntries(collected ?? collectFindings(input, { ignoreUnfixed: false }, ignores));
  return { ...made, first: reports[0]?.report, toolVersion };
}

/**
 * `collected`: the findings when the caller has them already (the gate's, when its policy drops no status), so
 * they are not gathered twice.
 */
export function toSarif(
  input: TrivyReport | PlatformReport[],
  ignores: IgnoreConfig = NO_IGNORES,
  toolVersion?: string,
  collected?: SarifFindings,
): SarifLog {
  const parts = sarifParts(input, ignores, toolVersion, collected);
  return sarifLog(parts, parts.pending.map(resultOf));
}

/** The log of `parts` with `results`. */
export function sarifLog({ rules, first, toolVersion }: SarifParts, results: SarifResult[]): SarifLog {
  const props: Record<string, unknown> = {};
  if (first && (first.ArtifactType === 'container_image' || first.ArtifactType === undefined)) {
    props.imageName = first.ArtifactName;
    if (first.Metadata?.ImageID) props.imageID = first.Metadata.ImageID;
    if (first.Metadata?.RepoDigests?.length) props.repoDigests = first.Metadata.RepoDigests;
    if (first.Metadata?.RepoTags?.length) props.repoTags = first.Metadata.RepoTags;
  }
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
        properties: props,
      },
    ],
  };
}
