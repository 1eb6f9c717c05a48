import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergePlatformReports, TrivyReport } from './report';
import { writeMergedReport } from './report-merge';
import { TRIVY_FIXTURES } from './test-support';

describe('writeMergedReport (report.json of several platforms, written as it is read)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'merge-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds what mergePlatformReports holds: every platform result, Target suffixed, every field as Trivy wrote it', () => {
    const parts = [
      { platform: 'linux/amd64', file: join(TRIVY_FIXTURES, 'juice-shop-debian12.json') },
      { platform: 'linux/arm64', file: join(TRIVY_FIXTURES, 'debian-buster.json') },
      { platform: 'linux/arm/v7', file: join(TRIVY_FIXTURES, 'engine-ci-alpine-no-vulns.json') },
    ];
    const out = join(dir, 'report.json');
    writeMergedReport(parts, out);
    const read = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as TrivyReport;
    const expected = mergePlatformReports(parts.map((p) => ({ platform: p.platform, report: read(p.file) })));
    const merged = read(out);
    expect(merged).toEqual(expected);
    expect(merged.Results!.map((r) => r.Target.replace(/.*\[/, '['))).toContain('[linux/arm64]');
    expect(merged.Results!.flatMap((r) => r.Vulnerabilities ?? []).length).toBeGreaterThan(70);
  });
});
