import { DEFAULT_POLICY, evaluateGate, formatFailingFinding, gateReportLines, GatePolicy } from './gate';
import { NO_IGNORES } from './ignore-file';
import { readIgnoreConfig } from './ignore-match';
import { SEVERITIES } from './report';
import { fixture, fixtureText, jsonFixtureNames } from './test-support';

const NOW = new Date('2025-06-01T12:00:00Z');
const ignores = (text: string, file = '.trivyignore') => readIgnoreConfig(text, file, NOW);
/** A gate on severity alone: no CVSS score can reach the threshold. */
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
  });

  it('a severity-only gate would not fail on bash', () => {
    expect(evaluateGate(report, SEVERITY_ONLY).failing.map((f) => f.id)).toEqual(['CVE-2019-18224']);
  });

  it('ignoreUnfixed drops bash (Status affected) but not libidn2 (Status fixed), by status', () => {
    const g = evaluateGate(report, { ...DEFAULT_POLICY, ignoreUnfixed: true });
    expect(g.ignored.map((i) => [i.id, i.reasons])).toEqual([
      ['CVE-2019-18276', [{ by: 'status', status: 'affected', option: 'ignoreUnfixed' }]],
    ]);
    expect(g.failing.map((f) => f.id)).toEqual(['CVE-2019-18224']);
  });

  it('an ignore entry in force ignores; an expired one no longer does and is reported', () => {
    const live = evaluateGate(
      report,
      { ...DEFAULT_POLICY, ignoreUnfixed: true },
      ignores('CVE-2019-18224 exp:2030-01-01\n'),
    );
    expect(live.passed).toBe(true);
    expect(live.ignored.map((i) => i.reasons[0].by).sort()).toEqual(['ignore-file', 'status']);
    const expired = evaluateGate(
      report,
      { ...DEFAULT_POLICY, ignoreUnfixed: true },
      ignores('CVE-2019-18224 exp:2025-01-01\n'),
    );
    expect(expired.passed).toBe(false);
    expect(gateReportLines(expired)[0]).toBe(
      'ignore entry CVE-2019-18224 (line 1) expired on 2025-01-01: it no longer ignores this finding',
    );
  });

  it('a disabled gate passes but still says what would fail', () => {
    const g = evaluateGate(report, { ...DEFAULT_POLICY, enabled: false });
    expect(g.passed).toBe(true);
    expect(g.failing).toHaveLength(2);
    expect(gateReportLines(g).at(-1)).toMatch(/^gate disabled: 2 finding\(s\) would fail/);
  });
});

describe('statuses as Trivy filters them (pkg/flag/vulnerability_flags.go, pkg/result/filter.go)', () => {
  /** The real ubi-7 report: bash will_not_fix (no FixedVersion), setuptools fixed 65.5.1. */
  const ubi = fixture('ubi-7-comprehensive.json');
  const ids = (g: ReturnType<typeof evaluateGate>) => g.findings.map((f) => f.id).sort();
  /** Built from Trivy's documented fields: the same report with one Status/FixedVersion changed. */
  const variant = (pkg: string, change: Record<string, unknown>) => {
    const r = JSON.parse(fixtureText('ubi-7-comprehensive.json'));
    for (const res of r.Results)
      for (const v of res.Vulnerabilities ?? []) if (v.PkgName === pkg) Object.assign(v, change);
    return r;
  };

  it('ignoreUnfixed drops will_not_fix (real golden) and keeps fixed', () => {
    expect(ids(evaluateGate(ubi, { ...DEFAULT_POLICY, ignoreUnfixed: true }))).toEqual(['CVE-2022-40897']);
  });

  it('Status fixed without a FixedVersion is KEPT under ignoreUnfixed (Trivy filters on Status, not FixedVersion)', () => {
    const r = variant('setuptools', { FixedVersion: undefined });
    const g = evaluateGate(r, { ...DEFAULT_POLICY, ignoreUnfixed: true });
    expect(g.findings.map((f) => [f.id, f.status, f.fixedVersion])).toEqual([['CVE-2022-40897', 'fixed', undefined]]);
  });

  it('will_not_fix WITH a FixedVersion is DROPPED under ignoreUnfixed', () => {
    const g = evaluateGate(variant('bash', { FixedVersion: '4.2.46-34.el7' }), {
      ...DEFAULT_POLICY,
      ignoreUnfixed: true,
    });
    expect(g.ignored.map((i) => [i.id, i.reasons[0]])).toEqual([
      ['CVE-2019-18276', { by: 'status', status: 'will_not_fix', option: 'ignoreUnfixed' }],
    ]);
  });

  it('a missing Status is "unknown" (Trivy omits StatusUnknown from JSON) and dropped under ignoreUnfixed', () => {
    const g = evaluateGate(variant('setuptools', { Status: undefined }), { ...DEFAULT_POLICY, ignoreUnfixed: true });
    expect(g.findings).toEqual([]);
  });

  it('ignoreStatuses drops exactly the listed statuses, and overrides ignoreUnfixed with a warning', () => {
    expect(ids(evaluateGate(ubi, { ...DEFAULT_POLICY, ignoreStatuses: ['will_not_fix'] }))).toEqual(['CVE-2022-40897']);
    expect(ids(evaluateGate(ubi, { ...DEFAULT_POLICY, ignoreStatuses: ['fixed'] }))).toEqual(['CVE-2019-18276']);
    const both = evaluateGate(ubi, { ...DEFAULT_POLICY, ignoreUnfixed: true, ignoreStatuses: ['fixed'] });
    expect(ids(both)).toEqual(['CVE-2019-18276']);
    expect(both.warnings).toEqual(['ignoreUnfixed has no effect because ignoreStatuses is set (as in Trivy)']);
  });
});

describe('merging platforms keeps the worst', () => {
  /** One vulnerability as two platforms report it: the same key, different assessments. */
  const report = (change: Record<string, unknown>) => {
    const r = JSON.parse(fixtureText('debian-buster.json'));
    r.Results[0].Vulnerabilities = r.Results[0].Vulnerabilities.filter(
      (v: { PkgName: string }) => v.PkgName === 'libidn2-0',
    ).map((v: object) => ({ ...v, ...change }));
    return r;
  };
  const critical = report({});
  const medium = report({
    Severity: 'MEDIUM',
    CVSS: { nvd: { V3Score: 5.0 } },
    FixedVersion: undefined,
    Status: 'affected',
  });
  const parts = (a: object, b: object) => [
    { platform: 'linux/amd64', report: a as never },
    { platform: 'linux/arm64', report: b as never },
  ];

  it.each([
    ['CRITICAL first', critical, medium],
    ['MEDIUM first', medium, critical],
  ])('CRITICAL on one platform and MEDIUM on the other fails the gate (%s)', (_, a, b) => {
    const g = evaluateGate(parts(a, b), SEVERITY_ONLY);
    expect(g.passed).toBe(false);
    expect(g.failing).toHaveLength(1);
    expect(g.failing[0]).toMatchObject({
      severity: 'CRITICAL',
      cvss: { score: 9.8 },
      fixedVersion: undefined,
      status: 'affected',
      platforms: ['linux/amd64', 'linux/arm64'],
    });
    expect(evaluateGate(parts(a, b), { ...DEFAULT_POLICY, severity: 'CRITICAL', cvssThreshold: 9 }).passed).toBe(false);
  });

  it.each([
    ['unfixed first', medium, critical, 'linux/arm64'],
    ['fixed first', critical, medium, 'linux/amd64'],
  ])(
    'ignoreUnfixed: unfixed on one platform, fixed on the other is counted, from the platform where Trivy keeps it (%s)',
    (_, a, b, kept) => {
      const g = evaluateGate(parts(a, b), { ...SEVERITY_ONLY, severity: 'MEDIUM', ignoreUnfixed: true });
      expect(g.ignored).toEqual([]);
      expect(g.failing.map((f) => [f.id, f.platforms, f.fixedVersion, f.severity])).toEqual([
        ['CVE-2019-18224', [kept], '2.0.5-1+deb10u1', 'CRITICAL'],
      ]);
    },
  );

  it('ignored only when every occurrence is: a path-scoped ignore rule that covers one platform target leaves it counted', () => {
    const a = report({});
    const b = report({});
    b.Results[0].Target = 'other-image (debian 10.1)';
    const yaml = `vulnerabilities:\n  - id: CVE-2019-18224\n    paths: ["other-image*"]\n`;
    const some = evaluateGate(parts(a, b), DEFAULT_POLICY, ignores(yaml, '.trivyignore.yaml'));
    expect(some.failing.map((f) => f.platforms)).toEqual([['linux/amd64']]);
    const all = evaluateGate(parts(a, b), DEFAULT_POLICY, ignores('CVE-2019-18224\n'));
    expect(all.passed).toBe(true);
    expect(all.ignored.map((i) => [i.id, i.platforms])).toEqual([['CVE-2019-18224', ['linux/amd64', 'linux/arm64']]]);
  });
});

describe('evaluateGate agrees with an independent reading of every real report', () => {
  it.each(jsonFixtureNames())('%s', (name) => {
    const raw = JSON.parse(fixtureText(name));
    const g = evaluateGate(fixture(name), DEFAULT_POLICY, NO_IGNORES);
    const expected = new Set<string>();
    for (const r of raw.Results ?? [])
      for (const v of r.Vulnerabilities ?? []) {
        const scores = Object.values((v.CVSS ?? {}) as Record<string, { V3Score?: number; V40Score?: number }>).flatMap(
          (c) => [c.V3Score, c.V40Score].filter((s): s is number => typeof s === 'number'),
        );
        const max = scores.length ? Math.max(...scores) : -1;
        if (max >= 7 || v.Severity === 'CRITICAL')
          expected.add(`${v.VulnerabilityID} ${v.PkgName} ${v.InstalledVersion}`);
      }
    expect(new Set(g.failing.map((f) => `${f.id} ${f.pkgName} ${f.installedVersion}`))).toEqual(expected);
    expect(g.passed).toBe(expected.size === 0);
    expect(SEVERITIES.reduce((n, s) => n + g.counts[s], 0)).toBe(g.findings.length);
  });
});

describe('evaluateGate on the other real reports', () => {
  it('juice-shop: fails, lists vm2 with NVD 10.0, keeps jsonwebtoken 0.1.0 and 0.4.0 apart', () => {
    const g = evaluateGate(fixture('juice-shop-debian12.json'), DEFAULT_POLICY);
    expect(g.failing[0]).toMatchObject({ pkgName: 'vm2', cvss: { score: 10, source: 'nvd' } });
    expect(
      g.failing
        .filter((f) => f.id === 'CVE-2015-9235')
        .map((f) => f.installedVersion)
        .sort(),
    ).toEqual(['0.1.0', '0.4.0']);
    expect(g.secrets.length).toBe(4);
    expect(g.failing.find((f) => f.pkgName === 'marsdb')).toMatchObject({ cvss: undefined, reasons: ['severity'] });
  });

  it('dockerfile.json: the failed check is reported as a misconfiguration; an ignore entry drops it by ID', () => {
    const g = evaluateGate(fixture('dockerfile.json'), DEFAULT_POLICY);
    expect(g.misconfigurations.map((m) => [m.id, m.target, m.severity])).toEqual([['DS-0002', 'Dockerfile', 'HIGH']]);
    const without = evaluateGate(fixture('dockerfile.json'), DEFAULT_POLICY, ignores('DS-0002\n'));
    expect(without.misconfigurations).toEqual([]);
    expect(without.ignored.map((i) => [i.kind, i.id])).toEqual([['misconfiguration', 'DS-0002']]);
  });

  it('secrets.json: secrets are reported, not gated; an ignore entry drops one and lists it', () => {
    const g = evaluateGate(fixture('secrets.json'), DEFAULT_POLICY);
    expect(g.passed).toBe(true);
    expect(g.secrets.map((s) => s.id)).toContain('aws-access-key-id');
    const without = evaluateGate(fixture('secrets.json'), DEFAULT_POLICY, ignores('aws-access-key-id\n'));
    expect(without.secrets.length).toBe(
      g.secrets.length - g.secrets.filter((s) => s.id === 'aws-access-key-id').length,
    );
    expect(without.ignored.every((i) => i.kind === 'secret' && i.id === 'aws-access-key-id')).toBe(true);
  });
});
