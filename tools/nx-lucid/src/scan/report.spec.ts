import { mergePlatformReports, parseTrivyReport, ReportError } from './report';
import { fixture, fixtureText, jsonFixtureNames } from './test-support';

describe('parseTrivyReport', () => {
  it.each(jsonFixtureNames())('parses the real Trivy report %s', (name) => {
    const raw = JSON.parse(fixtureText(name));
    const report = fixture(name);
    expect(report.SchemaVersion).toBe(2);
    const count = (r: { Results?: Array<{ Vulnerabilities?: unknown[] | null }> | null }) =>
      (r.Results ?? []).reduce((n, x) => n + (x.Vulnerabilities?.length ?? 0), 0);
    expect(count(report)).toBe(count(raw));
  });

  it('keeps fields it does not type (a newer Trivy adds fields)', () => {
    const report = fixture('debian-buster.json') as Record<string, unknown>;
    expect(report.ReportID).toBe('017b7d41-e09f-7000-80ea-000000000001');
  });

  it('rejects truncated JSON', () => {
    const text = fixtureText('debian-buster.json');
    expect(() => parseTrivyReport(text.slice(0, Math.floor(text.length / 2)), 'r.json')).toThrow(
      /r\.json is not valid JSON \(truncated or malformed\)/,
    );
  });

  it('rejects an empty report', () => {
    expect(() => parseTrivyReport('  \n', 'r.json')).toThrow(/empty/);
  });

  it('rejects an unknown SchemaVersion, naming it', () => {
    const raw = JSON.parse(fixtureText('debian-buster.json'));
    expect(() => parseTrivyReport(JSON.stringify({ ...raw, SchemaVersion: 3 }))).toThrow(
      /SchemaVersion 3; only Trivy JSON schema version 2/,
    );
    const { SchemaVersion: _dropped, ...noVersion } = raw;
    expect(() => parseTrivyReport(JSON.stringify(noVersion))).toThrow(/SchemaVersion undefined/);
  });

  it('rejects a vulnerability without a severity, naming the path', () => {
    const raw = JSON.parse(fixtureText('debian-buster.json'));
    delete raw.Results[0].Vulnerabilities[1].Severity;
    expect(() => parseTrivyReport(JSON.stringify(raw))).toThrow(/Results\.0\.Vulnerabilities\.1\.Severity/);
  });

  it('rejects a non-object', () => {
    expect(() => parseTrivyReport('[1,2]')).toThrow(ReportError);
  });
});

describe('mergePlatformReports', () => {
  it('returns a single report unchanged and tags targets by platform when there are several', () => {
    const a = fixture('debian-buster.json');
    expect(mergePlatformReports([{ platform: 'linux/amd64', report: a }])).toBe(a);
    const merged = mergePlatformReports([
      { platform: 'linux/amd64', report: a },
      { platform: 'linux/arm64', report: fixture('alpine-39-high-critical.json') },
    ]);
    expect(merged.Results!.map((r) => r.Target.match(/\[(.*)\]$/)?.[1])).toEqual(['linux/amd64', 'linux/arm64']);
  });
});
