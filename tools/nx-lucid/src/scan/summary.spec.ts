import { DEFAULT_POLICY, evaluateGate } from './gate';
import { readIgnoreConfig } from './ignore-match';
import { formatScanLine, scanOutcomeSchema, toOutcome } from './summary';
import { markdownSummary } from './summary-markdown';
import { fixture } from './test-support';

const info = {
  project: 'auth-service',
  target: {
    kind: 'oci-layout' as const,
    ref: 'ghcr.io/hamigames/lucid/auth-service:1.0.0',
    digest: 'sha256:' + 'a'.repeat(64),
  },
  platforms: ['linux/amd64'],
  trivyVersion: '0.58.0',
  sarif: 'built-in' as const,
};

describe('summary', () => {
  it('10,000 BOM-prefixed ignore lines (a warning each) keep the summary under 1 MiB, the rest counted', () => {
    const text = Array.from(
      { length: 10_000 },
      (_, i) => `\uFEFFCVE-2024-${String(10_000 + i)}-${'x'.repeat(60)}`,
    ).join('\n');
    const ignores = readIgnoreConfig(text, '.trivyignore', new Date('2025-06-01T00:00:00Z'));
    expect(ignores.warnings).toHaveLength(10_000);
    const g = evaluateGate(fixture('debian-buster.json'), DEFAULT_POLICY, ignores);
    const md = markdownSummary(g, toOutcome(g, info));
    expect(Buffer.byteLength(md) + 1).toBeLessThanOrEqual(1_048_576);
    expect(md).toContain('> ⚠️ … and 9980 more warning(s) (the scan log has them all)');
  });

  it('the Markdown names each failing finding with versions, score and source', () => {
    const g = evaluateGate(fixture('debian-buster.json'), DEFAULT_POLICY);
    const md = markdownSummary(g, toOutcome(g, info));
    expect(md).toContain('### Trivy scan: auth-service — ❌ FAILED');
    expect(md).toContain(
      '| [CVE-2019-18276](https://avd.aquasec.com/nvd/cve-2019-18276) | bash | 5.0-4 → no fix | CVSS v3 7.8 (nvd) | LOW | - | cvss |',
    );
    expect(md).toMatch(/\| 1 \| 0 \| 0 \| 1 \| 0 \| 0 \| 0 \| 0 \|/); // CRITICAL HIGH MEDIUM LOW UNKNOWN ignored secrets misconfigurations
  });

  it('every ignored finding is listed with its rule and expiry, in summary.md and gate.json', () => {
    const ignores = readIgnoreConfig(
      'vulnerabilities:\n  - id: CVE-2019-18224\n    expired_at: 2999-01-01\n    statement: fixed upstream next release\n',
      '.trivyignore.yaml',
      new Date('2025-01-01T00:00:00Z'),
    );
    const g = evaluateGate(fixture('debian-buster.json'), { ...DEFAULT_POLICY, ignoreUnfixed: true }, ignores);
    const o = toOutcome(g, info);
    const md = markdownSummary(g, o);
    expect(md).toContain(
      '- CVE-2019-18224 in libidn2-0 2.0.5-1 → 2.0.5-1+deb10u1 — ignore file .trivyignore.yaml line 2 (CVE-2019-18224 until 2999-01-01): fixed upstream next release',
    );
    expect(md).toContain('- CVE-2019-18276 in bash 5.0-4 → no fix — status affected (ignoreUnfixed)');
    expect(o.ignored).toEqual([
      expect.objectContaining({ id: 'CVE-2019-18276', by: 'unfixed', status: 'affected', rule: null }),
      expect.objectContaining({
        id: 'CVE-2019-18224',
        by: 'ignore-file',
        line: 2,
        rule: {
          file: '.trivyignore.yaml',
          line: 2,
          id: 'CVE-2019-18224',
          expires: '2999-01-01',
          statement: 'fixed upstream next release',
        },
      }),
    ]);
  });

  it('gate.json round-trips through its schema', () => {
    const g = evaluateGate(fixture('juice-shop-debian12.json'), DEFAULT_POLICY);
    const o = toOutcome(g, info);
    expect(scanOutcomeSchema.parse(JSON.parse(JSON.stringify(o)))).toEqual(o);
  });

  it('one line per service for the main job', () => {
    const pass = toOutcome(evaluateGate(fixture('engine-ci-alpine-no-vulns.json'), DEFAULT_POLICY), info);
    expect(formatScanLine({ kind: 'outcome', outcome: pass })).toBe('pass (0 ≥7.0, 0 findings)');
    const fail = toOutcome(evaluateGate(fixture('debian-buster.json'), DEFAULT_POLICY), info);
    expect(formatScanLine({ kind: 'outcome', outcome: fail })).toBe(
      'FAIL 2 findings (CVE-2019-18224 9.8, CVE-2019-18276 7.8)',
    );
    const off = toOutcome(evaluateGate(fixture('debian-buster.json'), { ...DEFAULT_POLICY, enabled: false }), info);
    expect(formatScanLine({ kind: 'outcome', outcome: off })).toBe('not gated (2 would fail, 2 findings)');
    expect(formatScanLine({ kind: 'skipped', reason: 'trivy not installed' })).toBe('skipped: trivy not installed');
    expect(formatScanLine({ kind: 'error', message: 'bad JSON\nmore' })).toBe('error: bad JSON');
  });
});
