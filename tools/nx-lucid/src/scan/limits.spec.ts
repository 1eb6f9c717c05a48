import { gzipSync } from 'node:zlib';
import { DEFAULT_POLICY, evaluateGate } from './gate';
import { SarifLog, toSarif } from './sarif';
import { failingResults, fitSarif, GITHUB_SARIF_LIMITS } from './sarif-limits';
import { toOutcome } from './summary';
import { markdownSummary, SUMMARY_MAX_BYTES } from './summary-markdown';
import { fixtureText, largeReport, sarifValidator } from './test-support';

const info = {
  project: 'big',
  target: { kind: 'image-ref' as const, ref: 'ghcr.io/hamigames/lucid/big:1.0.0', digest: null },
  platforms: ['linux/amd64'],
  trivyVersion: '0.58.0',
  sarif: 'built-in' as const,
};
/** Hang guard, not a budget: these build and gzip ~100 MB of JSON, slow on a loaded machine. */
const HANG_GUARD = 15 * 60_000;
type Run = {
  results: Array<{ ruleId: string; ruleIndex: number }>;
  tool: { driver: { rules: Array<{ id: string; properties: Record<string, string> }> } };
  invocations?: Array<{ toolExecutionNotifications?: Array<{ message: { text: string } }> }>;
  properties: Record<string, unknown>;
};

describe('outputs sized for GitHub, on a generated 50,000-finding report', () => {
  const report = largeReport(50_000);
  const gate = evaluateGate(report, { ...DEFAULT_POLICY, ignoreUnfixed: false });

  it(
    'summary.md stays under 1 MiB, worst findings first, and says what it cut',
    () => {
      const md = markdownSummary(gate, toOutcome(gate, info));
      const size = Buffer.byteLength(md);
      expect(size).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
      expect(size).toBeLessThan(1024 * 1024);
      expect(gate.failing.length).toBeGreaterThan(20_000);
      const rows = md.split('\n').filter((l) => l.startsWith('| [CVE-'));
      expect(rows.length).toBeGreaterThan(1000);
      // Worst first: the first row is the highest-scored failing finding, and scores never rise down the table.
      expect(rows[0]).toContain(`[${gate.failing[0].id}]`);
      const scores = rows.map((r) => Number(/CVSS v3 ([\d.]+)/.exec(r)![1]));
      expect(scores.every((s, i) => i === 0 || s <= scores[i - 1])).toBe(true);
      const note =
        /✂️ Cut to stay under GitHub's 1 MiB step summary limit: (\d+) failing and (\d+) ignored finding\(s\) not shown/.exec(
          md,
        );
      expect(note).not.toBeNull();
      expect(Number(note![1])).toBe(gate.failing.length - rows.length);
      // The counts table still covers everything.
      expect(md).toContain(
        `| ${gate.counts.CRITICAL} | ${gate.counts.HIGH} | ${gate.counts.MEDIUM} | ${gate.counts.LOW} | ${gate.counts.UNKNOWN} |`,
      );
    },
    HANG_GUARD,
  );

  it(
    'report.sarif keeps at most 25,000 results per run and 10 MB gzipped, the highest security-severity first, with a notice',
    () => {
      const full = toSarif(report);
      const fullText = JSON.stringify(full);
      expect((full.runs[0] as unknown as Run).results).toHaveLength(50_000);
      const { text, cut } = fitSarif(fullText);
      expect(text).toBeDefined();
      expect(gzipSync(text!).length).toBeLessThanOrEqual(GITHUB_SARIF_LIMITS.gzippedBytes);
      const log = JSON.parse(text!) as SarifLog;
      const r = log.runs[0] as unknown as Run;
      expect(r.results.length).toBeLessThanOrEqual(25_000);
      expect(r.results.length).toBe(cut.kept);
      expect(cut).toMatchObject({ total: 50_000, leftOut: 50_000 - cut.kept });
      expect(r.invocations![0].toolExecutionNotifications![0].message.text).toBe(
        `${cut.leftOut} of 50000 results left out to fit GitHub code scanning limits (25000 results per run, 10 MB gzipped); every one failing the gate is kept, then the highest security-severity (${cut.kept} in all); report.json has them all.`,
      );
      expect(r.properties.truncated).toEqual({ total: 50_000, kept: cut.kept, leftOut: cut.leftOut });
      // Every ruleIndex points at its rule; no unused rule is left; what was kept scores at least as high as what was cut.
      for (const res of r.results) expect(r.tool.driver.rules[res.ruleIndex].id).toBe(res.ruleId);
      expect(new Set(r.results.map((x) => x.ruleId)).size).toBe(r.tool.driver.rules.length);
      const keptMin = Math.min(...r.tool.driver.rules.map((x) => Number(x.properties['security-severity'])));
      const allScores = (full.runs[0] as unknown as Run).tool.driver.rules
        .map((x) => Number(x.properties['security-severity']))
        .sort((a, b) => b - a);
      expect(keptMin).toBeGreaterThanOrEqual(allScores[r.tool.driver.rules.length - 1] - 1e-9);
    },
    HANG_GUARD,
  );

  it(
    'a tighter gzip budget cuts further, in proportion',
    () => {
      const small = toSarif(largeReport(3_000));
      const { text, cut } = fitSarif(JSON.stringify(small), undefined, {
        ...GITHUB_SARIF_LIMITS,
        gzippedBytes: 200_000,
      });
      expect(gzipSync(text!).length).toBeLessThanOrEqual(200_000);
      expect(cut.kept).toBeGreaterThan(0);
      expect(cut.kept).toBeLessThan(3_000);
      // The cut log (rules renumbered, notice added) is still valid SARIF 2.1.0.
      const validate = sarifValidator();
      expect(validate(JSON.parse(text!))).toBe(true);
    },
    HANG_GUARD,
  );

  it(
    'a cut keeps every result of a finding that fails the gate, however low its security-severity',
    () => {
      const small = largeReport(3_000);
      // Fails on CVSS ≥ 9.0 alone, so LOW and MEDIUM findings scored 9+ fail while ranking low in SARIF.
      const g = evaluateGate(small, { ...DEFAULT_POLICY, cvssThreshold: 9, severity: 'CRITICAL' });
      expect(g.failing.some((f) => f.severity === 'LOW')).toBe(true);
      const text = JSON.stringify(toSarif(small));
      const limits = { ...GITHUB_SARIF_LIMITS, gzippedBytes: 250_000 };
      const failing = failingResults(g.failing);
      const keptFailing = (t: string) => (JSON.parse(t) as SarifLog).runs[0].results!.filter(failing).length;
      expect(keptFailing(text)).toBe(g.failing.length);
      // Ranked by security-severity alone, the cut loses some of them; kept first, none is lost.
      expect(keptFailing(fitSarif(text, undefined, limits).text!)).toBeLessThan(g.failing.length);
      const { text: cutText, cut } = fitSarif(text, failing, limits);
      expect(cut.kept).toBeLessThan(3_000);
      expect(keptFailing(cutText!)).toBe(g.failing.length);
    },
    HANG_GUARD,
  );

  it("a SARIF file within the limits (Trivy's own) is left byte for byte", () => {
    const trivy = fixtureText('alpine-310.sarif');
    expect(fitSarif(trivy)).toEqual({ cut: { total: 4, kept: 4, leftOut: 0, gzippedBytes: gzipSync(trivy).length } });
  });
});
