import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseTrivyReport } from './report';
import { plainlyValidVulnerability, readReportForGate } from './report-stream';
import { trivyVulnerabilitySchema } from './report';

const FIXTURES = resolve(__dirname, '__fixtures__');
const reports = ['trivy', 'trivy-ignore-unfixed'].flatMap((d) =>
  readdirSync(join(FIXTURES, d))
    .filter((f) => f.endsWith('.json') && !f.endsWith('.cdx.json'))
    .map((f) => join(FIXTURES, d, f)),
);
const DROPPED = ['References', 'CweIDs', 'VendorSeverity', 'Layer', 'DataSource', 'PublishedDate', 'LastModifiedDate'];

/** What parseTrivyReport reads, less the vulnerability fields no output reads. */
function wholeSlimmed(file: string) {
  const r = parseTrivyReport(readFileSync(file, 'utf8'), file);
  for (const res of r.Results ?? [])
    for (const v of res.Vulnerabilities ?? []) for (const k of Object.keys(v)) if (!keep(k)) delete v[k];
  return r;
}
const KEPT = new Set([
  ...['VulnerabilityID', 'PkgID', 'PkgName', 'PkgIdentifier', 'PkgPath', 'InstalledVersion', 'FixedVersion'],
  ...['Status', 'Severity', 'SeveritySource', 'PrimaryURL', 'Title', 'Description', 'CVSS'],
]);
const keep = (k: string) => KEPT.has(k);

/** The report indented, but each finding compact on a line of its own (its `}` never starts a line). */
function oneFindingPerLine(text: string): string {
  const report = JSON.parse(text) as { Results: Array<{ Vulnerabilities?: unknown[] }> };
  const vulns: unknown[] = [];
  for (const r of report.Results)
    if (r.Vulnerabilities) r.Vulnerabilities = r.Vulnerabilities.map((v) => `@@${vulns.push(v) - 1}@@`);
  return JSON.stringify(report, null, 2).replace(/"@@(\d+)@@"/g, (_m, i: string) => JSON.stringify(vulns[+i]));
}

describe('readReportForGate', () => {
  it.each(reports)('reads %s as parseTrivyReport does, whatever the chunk size', (file) => {
    const expected = wholeSlimmed(file);
    for (const chunk of [5, 4096, 1 << 20]) expect(readReportForGate(file, file, chunk)).toEqual(expected);
  });

  describe('whatever the layout: pretty, compact, or nested braces at a finding’s own indentation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-layout-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const source = join(FIXTURES, 'trivy', 'juice-shop-debian12.json');
    const text = readFileSync(source, 'utf8');
    const layouts: Record<string, string> = {
      compact: JSON.stringify(JSON.parse(text)),
      // A nested object's `}` on a line with the finding's indentation: found first, refused by JSON.parse.
      'nested closes dedented': text.replace(/\n {10,}\}/g, '\n        }'),
      'one finding per line': oneFindingPerLine(text),
      tabs: text.replace(/\n( +)/g, (_m, s: string) => `\n${'\t'.repeat(s.length / 2)}`),
    };
    it.each(Object.keys(layouts))('%s', (name) => {
      expect(layouts[name]).not.toBe(text);
      const file = join(dir, `${name}.json`);
      writeFileSync(file, layouts[name]);
      const expected = wholeSlimmed(source);
      for (const chunk of [7, 4096, 1 << 20]) expect(readReportForGate(file, file, chunk)).toEqual(expected);
    });
  });

  it('drops only fields no output reads', () => {
    const file = join(FIXTURES, 'trivy', 'juice-shop-debian12.json');
    const v = readReportForGate(file).Results!.flatMap((r) => r.Vulnerabilities ?? [])[0];
    expect(Object.keys(v).filter((k) => DROPPED.includes(k))).toEqual([]);
    expect(v.Description).toBeTruthy();
  });
});

describe('readReportForGate gives parseTrivyReport’s error for a report it cannot read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-stream-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const good = readFileSync(join(FIXTURES, 'trivy', 'debian-buster.json'), 'utf8');
  const cases: Record<string, string> = {
    empty: '',
    truncated: good.slice(0, good.length / 2),
    'schema version 1': good.replace('"SchemaVersion": 2', '"SchemaVersion": 1'),
    'bad severity in a finding': good.replace(/"Severity": "[A-Z]+"/, '"Severity": "SEVERE"'),
    'a finding that is not an object': good.replace(/"Vulnerabilities": \[/, '"Vulnerabilities": [ "x",'),
    'no ArtifactName': good.replace(/"ArtifactName": "[^"]*",/, ''),
    'an array': '[]',
  };
  it.each(Object.keys(cases))('%s', (name) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, cases[name]);
    let whole: unknown;
    try {
      parseTrivyReport(cases[name], 'the report');
    } catch (e) {
      whole = e;
    }
    expect(whole).toBeInstanceOf(Error);
    expect(() => readReportForGate(file, 'the report', 64)).toThrow((whole as Error).message);
  });
});

describe('readReportForGate on a big report it cannot take: a clear error, the report never read whole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-stream-big-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const good = readFileSync(join(FIXTURES, 'trivy', 'debian-buster.json'), 'utf8');
  const cases: Array<[string, string, RegExp]> = [
    ['truncated', good.slice(0, good.length / 2), /^the report is not valid JSON \(truncated or malformed\)$/],
    ['schema version 1', good.replace('"SchemaVersion": 2', '"SchemaVersion": 1'), /has SchemaVersion 1; only/],
    [
      'bad severity in a finding',
      good.replace(/"Severity": "[A-Z]+"/, '"Severity": "SEVERE"'),
      /does not match Trivy's JSON schema v2 at Results\[0\]\.Vulnerabilities\[0\]:\n.*Severity/,
    ],
    [
      'a finding that is not an object',
      good.replace(/"Vulnerabilities": \[/, '"Vulnerabilities": [ "x",'),
      /a Results\[\]\.Vulnerabilities entry is not an object/,
    ],
    [
      'no ArtifactName',
      good.replace(/"ArtifactName": "[^"]*",/, ''),
      /does not match Trivy's JSON schema v2:\n.*ArtifactName/,
    ],
    ['an array', '[]', /is not a Trivy JSON report \(expected an object\)/],
  ];
  it.each(cases)('%s', (name, text, message) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, text);
    for (const chunk of [64, 1 << 20])
      expect(() => readReportForGate(file, 'the report', chunk, 0)).toThrow(
        expect.objectContaining({ name: 'ReportError', message: expect.stringMatching(message) }),
      );
  });
});

describe('plainlyValidVulnerability (the cheap check before the schema)', () => {
  const all = reports.flatMap((f) =>
    ((JSON.parse(readFileSync(f, 'utf8')) as { Results?: Array<{ Vulnerabilities?: unknown[] }> }).Results ?? [])
      .flatMap((r) => r.Vulnerabilities ?? [])
      .map((v) => v as Record<string, unknown>),
  );
  it('takes every finding of the real reports (so the schema is rarely run)', () => {
    expect(all.length).toBeGreaterThan(1000);
    expect(all.filter((v) => !plainlyValidVulnerability(v)).map((v) => v.VulnerabilityID)).toEqual([]);
  });

  it('never takes a finding the schema refuses', () => {
    const keys = [...new Set(all.flatMap((v) => Object.keys(v)))];
    const odd: unknown[] = [undefined, null, '', 'x', 0, -1, 11, 5, true, [], ['x'], [1], {}, { a: 'x' }, { a: 1 }];
    const cvssOdd: unknown[] = [
      ...odd.map((x) => ({ nvd: { V3Score: x } })),
      ...odd.map((x) => ({ nvd: { V3Vector: x } })),
    ];
    let checked = 0;
    for (const base of all.slice(0, 40))
      for (const k of [...keys, 'PkgIdentifier.PURL'])
        for (const x of k === 'CVSS' ? [...odd, ...cvssOdd] : odd) {
          const v: Record<string, unknown> = { ...base };
          if (k === 'PkgIdentifier.PURL') v.PkgIdentifier = { PURL: x };
          else if (x === undefined) delete v[k];
          else v[k] = x;
          if (plainlyValidVulnerability(v)) expect(trivyVulnerabilitySchema.safeParse(v).success).toBe(true);
          checked++;
        }
    expect(checked).toBeGreaterThan(1000);
  });
});
