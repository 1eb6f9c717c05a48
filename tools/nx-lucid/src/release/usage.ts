/**
 * Registry usage per service, from each repository's graph (prune-graph.ts): tags, distinct indexes, manifests,
 * bytes — every distinct blob (config, layer, attestation, artifact) and every manifest, counted once per digest, as
 * the registry stores them — split into the service's own bytes and those shared with another service (a digest that
 * appears in more than one service's repository), and the newest and oldest push. Push time: GitHub Packages records
 * it per version; the distribution API records none, so there the image's created time stands in (our builds set
 * org.opencontainers.image.created to the commit time). Pure but for the summary file write.
 */
import { appendText } from '../boundary/files';
import { RepositoryGraph } from './prune-graph';
import { formatBytes } from './prune-run';

export interface ServiceUsage {
  service: string;
  image: string;
  tags: number;
  indexes: number;
  manifests: number;
  blobs: number;
  /** ownBytes + sharedBytes: everything this repository references. */
  bytes: number;
  ownBytes: number;
  sharedBytes: number;
  newestPush?: string;
  oldestPush?: string;
  /** Where the push times come from. */
  pushTimes: 'registry' | 'image created';
}

export interface UsageReport {
  services: ServiceUsage[];
  /** Distinct bytes over every service (a shared digest once): what the registry stores for them. */
  totalBytes: number;
}

/** digest → size of every manifest and blob a repository holds. */
export function storedObjects(graph: RepositoryGraph): Map<string, number> {
  const out = new Map<string, number>();
  for (const n of graph.nodes.values()) {
    out.set(n.digest, n.size);
    for (const [d, size] of n.blobs) out.set(d, size);
  }
  return out;
}

function pushTimes(graph: RepositoryGraph): { times: string[]; source: ServiceUsage['pushTimes'] } {
  if (graph.pushedAt.size) return { times: [...graph.pushedAt.values()], source: 'registry' };
  const tops = new Set(graph.tags.values());
  const times = [...graph.nodes.values()].filter((n) => tops.has(n.digest) && n.created).map((n) => n.created!);
  return { times, source: 'image created' };
}

export function usageReport(
  repositories: Array<{ service: string; image: string; graph: RepositoryGraph }>,
): UsageReport {
  const objects = repositories.map((r) => storedObjects(r.graph));
  const seenIn = new Map<string, number>();
  for (const o of objects) for (const d of o.keys()) seenIn.set(d, (seenIn.get(d) ?? 0) + 1);
  const all = new Map<string, number>();
  const services = repositories.map((r, i) => {
    let ownBytes = 0;
    let sharedBytes = 0;
    for (const [d, size] of objects[i]) {
      all.set(d, size);
      if (seenIn.get(d)! > 1) sharedBytes += size;
      else ownBytes += size;
    }
    const nodes = [...r.graph.nodes.values()];
    const { times, source } = pushTimes(r.graph);
    const sorted = times.filter((t) => !Number.isNaN(Date.parse(t))).sort((a, b) => Date.parse(a) - Date.parse(b));
    return {
      service: r.service,
      image: r.image,
      tags: r.graph.tags.size,
      indexes: nodes.filter((n) => n.kind === 'index').length,
      manifests: nodes.length,
      blobs: objects[i].size - nodes.length,
      bytes: ownBytes + sharedBytes,
      ownBytes,
      sharedBytes,
      newestPush: sorted[sorted.length - 1],
      oldestPush: sorted[0],
      pushTimes: source,
    };
  });
  return { services, totalBytes: [...all.values()].reduce((s, n) => s + n, 0) };
}

const HEADER = ['service', 'tags', 'indexes', 'manifests', 'bytes', 'own', 'shared', 'newest push', 'oldest push'];

function rows(report: UsageReport): string[][] {
  const short = (n: number) => formatBytes(n).replace(/ \(.*\)$/, '');
  return report.services.map((s) => [
    s.service,
    String(s.tags),
    String(s.indexes),
    String(s.manifests),
    short(s.bytes),
    short(s.ownBytes),
    short(s.sharedBytes),
    s.newestPush ?? '-',
    s.oldestPush ?? '-',
  ]);
}

const footnote = (report: UsageReport) =>
  `total stored: ${formatBytes(report.totalBytes)} (each digest once)${report.services.some((s) => s.pushTimes === 'image created') ? '; push times: the image created time where the registry records none' : ''}`;

/** A plain-text table, one line per service, then the total. */
export function usageTable(report: UsageReport): string[] {
  const table = [HEADER, ...rows(report)];
  const widths = HEADER.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  return [
    ...table.map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    ),
    footnote(report),
  ];
}

/** The same as a Markdown section for GitHub's job summary. */
export function usageMarkdown(report: UsageReport): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    '### Registry usage',
    '',
    line(HEADER),
    line(HEADER.map(() => '---')),
    ...rows(report).map(line),
    '',
    footnote(report),
    '',
  ].join('\n');
}

/** Prints the report (table, or JSON with --json) and appends it to $GITHUB_STEP_SUMMARY when set. */
export function printUsage(
  report: UsageReport,
  o: { json: boolean; env: NodeJS.ProcessEnv; say: (l: string) => void },
) {
  if (o.json) o.say(JSON.stringify(report, null, 2));
  else for (const l of usageTable(report)) o.say(l);
  if (o.env.GITHUB_STEP_SUMMARY) appendText(o.env.GITHUB_STEP_SUMMARY, `${usageMarkdown(report)}\n`);
}
