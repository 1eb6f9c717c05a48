import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_POLICY, evaluateGate } from './gate';
import { writeGrownReport } from './testing/grown-report';
import type { BoundRun } from './testing/scan-bound-child';
import { fixture } from './test-support';

/**
 * The executor's scan of a 50,000-finding report (146 MB, grown from real findings) runs in a child whose V8 heap is
 * capped at 256 MB: a correctness bound (the scan must not need the report in memory), not a timing. The control —
 * the same report read whole, as the executor once did — must die under the same cap, so the bound can fail.
 */
const HEAP_MB = 256;
const CHILD = resolve(__dirname, 'testing', 'scan-bound-child.ts');
const REPO = resolve(__dirname, '..', '..', '..', '..');

function runChild(way: 'executor' | 'whole', report: string) {
  return spawnSync(
    process.execPath,
    [`--max-old-space-size=${HEAP_MB}`, '-r', '@swc-node/register', CHILD, way, report],
    { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, NODE_OPTIONS: '' } },
  );
}

describe(`the scan executor on a 50,000-finding report, heap capped at ${HEAP_MB} MB`, () => {
  let dir: string;
  let report: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'scan-bound-'));
    report = join(dir, 'grown-50000.json');
    writeGrownReport(50_000, report);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("scans (SARIF mode auto), gates and writes every output within the cap; the gate fails on the seed's failing IDs", () => {
    const r = runChild('executor', report);
    expect(r.stderr).not.toMatch(/heap out of memory/);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as BoundRun;
    expect(out.passed).toBe(false);
    const seedFailing = evaluateGate(fixture('juice-shop-debian12.json'), DEFAULT_POLICY).failing.map((f) => f.id);
    expect(out.failing).toBeGreaterThan(seedFailing.length);
    expect(out.failingIds.sort()).toEqual([...new Set(seedFailing)].sort());
    // More results than GitHub takes: the built-in SARIF, cut in bounded memory; Trivy's is never made to be read
    // (the two image runs: vulnerabilities, then the SBOM).
    expect(out.sarif).toBe('built-in');
    expect(out.trivyCalls).toEqual(['version', 'image', 'image']);
  }, 180_000);

  it('the report cut in half (Trivy killed mid-write): a clear error within the cap, never read whole', () => {
    const cut = join(dir, 'cut.json');
    copyFileSync(report, cut);
    truncateSync(cut, Math.floor(statSync(report).size / 2));
    const r = runChild('executor', cut);
    expect(r.stderr).not.toMatch(/heap out of memory/);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(
      /ReportError: Trivy report for \S+ \(linux\/amd64\) is not valid JSON \(truncated or malformed\)/,
    );
  }, 180_000);

  it('control: the report read whole does not fit under the same cap', () => {
    const r = runChild('whole', report);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/heap out of memory|Allocation failed/);
  }, 180_000);
});
