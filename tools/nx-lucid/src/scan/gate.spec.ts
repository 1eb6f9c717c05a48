import { DEFAULT_POLICY, evaluateGate, formatFailingFinding, gateReportLines, GatePolicy } from './gate';
import { parseIgnoreFile, partitionIgnores } from './ignore-file';
import { SEVERITIES } from './report';
import { fixture, fixtureText, jsonFixtureNames } from './test-support';

const NOW = new Date('2025-06-01T12:00:00Z');
const ignores = (text: string) => partitionIgnores(parseIgnoreFile(text), NOW);
/** A gate on severity alone (what the seed had): no CVSS score can reach the threshold. */
const SEVERITY_ONLY: GatePolicy = { ...DEFAULT_POLICY, cvssThreshold: Number.POSITIVE_INFINITY };

describe('evaluateGate on debian-buster.json', () => {
  const report = fixture('debian-buster.json');

  it('the CVSS gate fails on bash CVE-2019-18276 (LOW by the vendor, NVD v3 7.8, no fix)', () => {
    const g = evaluateGate(report, DEFAULT_POLICY);
    expect(g.passed).toBe(false);
    const bash = g.failing.find((f) => f.id === 'CVE-2019-18276')!;
    expect(bash).toMatchObject({ pkgName: 'bash', severity: 'LOW', fixedVersion: undefined, reasons: ['cvss'] });
    expect(formatFailingFinding(bash, g.policy)).toBe(
      'CVE-2019-18276 in bash 5.0-4 → no fix: CVSS v3 7.8 (nvd), severity LOW — fails: CVSS 7.8 ≥ 7.0',
    );
    const libidn = g.failing.find((f) => f.id === 'CVE-2019-18224')!;
    expect(libidn.reasons).toEqual(['cvss', 'severity']);
    expect(formatFailingFinding(libidn, g.policy)).toContain('2.0.5-1 → 2.0.5-1+deb10u1: CVSS v3 9.8 (nvd), severity CRITICAL');
  });

  it('a severity-only gate would not fail on bash', () => {
    const g = evaluateGate(report, SEVERITY_ONLY);
    expect(g.failing.map((f) => f.id)).toEqual(['CVE-2019-18224']);
    expect(evaluateGate(report, { ...SEVERITY_ONLY, severity: 'HIGH' }).failing.map((f) => f.id)).toEqual(['CVE-2019-18224']);
  });

  it('ignoreUnfixed ignores bash (no fix) but not libidn2 (fixed)', () => {
    const g = evaluateGate(report, { ...DEFAULT_POLICY, ignoreUnfixed: true });
    expect(g.ignored.map((i) => [i.finding.id, i.by])).toEqual([['CVE-2019-18276', 'unfixed']]);
    expect(g.failing.map((f) => f.id)).toEqual(['CVE-2019-18224']);
    expect(g.passed).toBe(false);
  });

  it('an ignore entry in force ignores; an expired one no longer does and is reported', () => {
    const live = evaluateGate(report, { ...DEFAULT_POLICY, ignoreUnfixed: true }, ignores('CVE-2019-18224 exp:2030-01-01\n'));
    expect(live.passed).toBe(true);
    expect(live.ignored.map((i) => i.by).sort()).toEqual(['ignore-file', 'unfixed']);

    const expired = evaluateGate(report, { ...DEFAULT_POLICY, ignoreUnfixed: true }, ignores('CVE-2019-18224 exp:2025-01-01\n'));
    expect(expired.passed).toBe(false);
    expect(expired.expiredIgnores.map((e) => e.id)).toEqual(['CVE-2019-18224']);
    expect(gateReportLines(expired)[0]).toBe('ignore entry CVE-2019-18224 (line 1) expired on 2025-01-01: it no longer ignores this finding');
  });

  it('a disabled gate passes but still says what would fail', () => {
    const g = evaluateGate(report, { ...DEFAULT_POLICY, enabled: false });
    expect(g.passed).toBe(true);
    expect(g.failing).toHaveLength(2);
    expect(gateReportLines(g).at(-1)).toMatch(/^gate disabled: 2 finding\(s\) would fail/);
  });
});

describe('evaluateGate agrees with an independent reading of every real report', () => {
  it.each(jsonFixtureNames())('%s', (name) => {
    const raw = JSON.parse(fixtureText(name));
    const g = evaluateGate(fixture(name), DEFAULT_POLICY);
    // Recompute from the raw JSON: the max V3/V4 score over sources, and the severity rule.
    const expected = new Set<string>();
    for (const r of raw.Results ?? [])
      for (const v of r.Vulnerabilities ?? []) {
        const scores = Object.values((v.CVSS ?? {}) as Record<string, { V3Score?: number; V40Score?: number }>).flatMap((c) =>
          [c.V3Score, c.V40Score].filter((s): s is number => typeof s === 'number'),
        );
        const max = scores.length ? Math.max(...scores) : -1;
        if (max >= 7 || v.Severity === 'CRITICAL') expected.add(`${v.VulnerabilityID} ${v.PkgName} ${v.InstalledVersion}`);
      }
    expect(new Set(g.failing.map((f) => `${f.id} ${f.pkgName} ${f.installedVersion}`))).toEqual(expected);
    expect(g.passed).toBe(expected.size === 0);
    expect(SEVERITIES.reduce((n, s) => n + g.counts[s], 0)).toBe(g.findings.length);
  });
});

describe('evaluateGate on the other real reports', () => {
  it('juice-shop: fails, lists vm2 with NVD 10.0, keeps jsonwebtoken 0.1.0 and 0.4.0 apart', () => {
    const g = evaluateGate(fixture('juice-shop-debian12.json'), DEFAULT_POLICY);
    expect(g.passed).toBe(false);
    expect(g.failing[0]).toMatchObject({ pkgName: 'vm2', cvss: { score: 10, source: 'nvd' } });
    const jwt = g.failing.filter((f) => f.id === 'CVE-2015-9235').map((f) => f.installedVersion);
    expect(jwt.sort()).toEqual(['0.1.0', '0.4.0']);
    expect(g.secrets.length).toBe(4);
    // marsdb has no CVSS at all but is CRITICAL: the severity rule catches it.
    expect(g.failing.find((f) => f.pkgName === 'marsdb')).toMatchObject({ cvss: undefined, reasons: ['severity'] });
  });

  it('hapi-fhir: HIGH with only a Red Hat 8.1 score fails on CVSS alone', () => {
    const g = evaluateGate(fixture('hapi-fhir-jpaserver-debian13-jar.json'), DEFAULT_POLICY);
    expect(g.failing.map((f) => [f.id, f.reasons])).toEqual([['CVE-2026-0861', ['cvss']]]);
  });

  it('engine-ci (no vulnerabilities) passes', () => {
    const g = evaluateGate(fixture('engine-ci-alpine-no-vulns.json'), DEFAULT_POLICY);
    expect(g).toMatchObject({ passed: true, findings: [], failing: [] });
  });

  it('secrets.json passes the vulnerability gate and reports the secrets; an ignore entry drops one', () => {
    const g = evaluateGate(fixture('secrets.json'), DEFAULT_POLICY);
    expect(g.passed).toBe(true);
    expect(g.secrets.map((s) => s.ruleId)).toContain('aws-access-key-id');
    expect(gateReportLines(g).at(-1)).toMatch(/^warning: \d+ secret\(s\) found/);
    const without = evaluateGate(fixture('secrets.json'), DEFAULT_POLICY, ignores('aws-access-key-id\n'));
    expect(without.secrets.length).toBe(g.secrets.length - 1);
  });
});
