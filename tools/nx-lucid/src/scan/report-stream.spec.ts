import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseTrivyReport } from './report';
import { readReportForGate } from './report-stream';

const FIXTURES = resolve(__dirname, '__fixtures__');
const reports = ['trivy', 'trivy-ignore-unfixed'].flatMap((d) =>
  readdirSync(join(FIXTURES, d))
    .filter((f) => f.endsWith('.json'))
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

describe('readReportForGate', () => {
  it.each(reports)('reads %s as parseTrivyReport does, whatever the chunk size', (file) => {
    const expected = wholeSlimmed(file);
    for (const chunk of [5, 4096, 1 << 20]) expect(readReportForGate(file, file, chunk)).toEqual(expected);
  });

  it('drops only fields no output reads', () => {
    const file = join(FIXTURES, 'trivy', 'juice-shop-debian12.json');
    const v = readReportForGate(file).Results!.flatMap((r) => r.Vulnerabilities ?? [])[0];
    expect(Object.keys(v).filter((k) => DROPPED.includes(k))).toEqual([]);
    expect(v.Description).toBeTruthy();
  });

  describe('gives parseTrivyReport’s error for a report it cannot read', () => {
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
});
