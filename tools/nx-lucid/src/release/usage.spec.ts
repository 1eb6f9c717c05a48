import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManifestNode, RepositoryGraph } from './prune-graph';
import { printUsage, usageMarkdown, usageReport, usageTable } from './usage';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const node = (
  digest: string,
  size: number,
  blobs: Array<[string, number]>,
  o: Partial<ManifestNode> = {},
): ManifestNode => ({
  digest,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size,
  kind: 'image',
  children: [],
  blobs: new Map(blobs),
  ...o,
});
const graph = (
  tags: Array<[string, string]>,
  nodes: ManifestNode[],
  pushedAt: Array<[string, string]> = [],
): RepositoryGraph => ({
  tags: new Map(tags),
  nodes: new Map(nodes.map((n) => [n.digest, n])),
  pushedAt: new Map(pushedAt),
  missing: new Set(),
});

// a and b share blob 1 (1000 bytes); a's index lists its image; b is on GitHub (push times recorded).
const a = graph(
  [
    ['latest', d('a')],
    ['v1.0.0', d('a')],
  ],
  [
    node(d('a'), 300, [], { kind: 'index', children: [d('c')], created: '2026-01-02T00:00:00Z' }),
    node(
      d('c'),
      400,
      [
        [d('1'), 1000],
        [d('2'), 50],
      ],
      { kind: 'platform' },
    ),
  ],
);
const b = graph(
  [['latest', d('b')]],
  [
    node(
      d('b'),
      500,
      [
        [d('1'), 1000],
        [d('3'), 70],
      ],
      { created: '2026-01-01T00:00:00Z' },
    ),
  ],
  [
    [d('b'), '2026-03-01T00:00:00Z'],
    [d('e'), '2026-02-01T00:00:00Z'],
  ],
);

describe('usage report', () => {
  const report = usageReport([
    { service: 'svc-a', image: 'r/a', graph: a },
    { service: 'svc-b', image: 'r/b', graph: b },
  ]);

  it('counts each blob and manifest once; a digest in two services is shared', () => {
    expect(
      report.services.map((s) => [s.service, s.tags, s.indexes, s.manifests, s.blobs, s.ownBytes, s.sharedBytes]),
    ).toEqual([
      ['svc-a', 2, 1, 2, 2, 300 + 400 + 50, 1000],
      ['svc-b', 1, 0, 1, 2, 500 + 70, 1000],
    ]);
    expect(report.totalBytes).toBe(300 + 400 + 50 + 500 + 70 + 1000);
  });

  it("push times: the registry's where recorded (GitHub), else the image created time", () => {
    expect(report.services[0]).toMatchObject({ newestPush: '2026-01-02T00:00:00Z', pushTimes: 'image created' });
    expect(report.services[1]).toMatchObject({
      newestPush: '2026-03-01T00:00:00Z',
      oldestPush: '2026-02-01T00:00:00Z',
      pushTimes: 'registry',
    });
  });

  it('as a table, as JSON, and appended to $GITHUB_STEP_SUMMARY', () => {
    const table = usageTable(report);
    expect(table[0]).toMatch(
      /^service\s+tags\s+indexes\s+manifests\s+bytes\s+own\s+shared\s+newest push\s+oldest push$/,
    );
    expect(table[1]).toMatch(/^svc-a\s+2\s+1\s+2\s+1\.7 KiB\s+750 B\s+1000 B\s+2026-01-02/);
    expect(table.at(-1)).toMatch(/^total stored: 2\.3 KiB \(2320 bytes\)/);
    expect(usageMarkdown(report)).toContain(
      '| svc-b | 1 | 0 | 1 | 1.5 KiB | 570 B | 1000 B | 2026-03-01T00:00:00Z | 2026-02-01T00:00:00Z |',
    );
    const summary = join(mkdtempSync(join(tmpdir(), 'lucid-usage-')), 'summary.md');
    const lines: string[] = [];
    printUsage(report, { json: true, env: { GITHUB_STEP_SUMMARY: summary }, say: (l) => lines.push(l) });
    expect(JSON.parse(lines.join('\n'))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(readFileSync(summary, 'utf8')).toContain('### Registry usage');
  });
});
