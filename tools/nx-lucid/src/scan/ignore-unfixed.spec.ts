import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_POLICY, evaluateGate } from './gate';
import { parseTrivyReport } from './report';

/** Trivy's golden pairs: the same image scanned without and with --ignore-unfixed (SOURCES.md there). */
const dir = resolve(__dirname, '__fixtures__', 'trivy-ignore-unfixed');
const read = (name: string) => readFileSync(resolve(dir, `${name}.json`), 'utf8');
const keys = (raw: string) =>
  new Set<string>(
    (JSON.parse(raw).Results ?? []).flatMap((r: { Vulnerabilities?: Array<Record<string, string>> }) =>
      (r.Vulnerabilities ?? []).map((v) => `${v.VulnerabilityID} ${v.PkgName} ${v.InstalledVersion}`),
    ),
  );

const pairs = ['v0.20.0', 'v0.40.0', 'head'].flatMap((tag) =>
  ['centos-7', 'debian-buster', 'ubuntu-1804'].map((image) => `${tag}-${image}`),
);

describe("ignoreUnfixed keeps exactly what Trivy's own --ignore-unfixed kept", () => {
  it.each(pairs)('%s', (name) => {
    const all = parseTrivyReport(read(name), name);
    const trivyKept = read(`${name}-ignore-unfixed`);
    const g = evaluateGate(all, { ...DEFAULT_POLICY, ignoreUnfixed: true });
    expect(new Set(g.findings.map((f) => `${f.id} ${f.pkgName} ${f.installedVersion}`))).toEqual(keys(trivyKept));
    // The gate decision equals the decision on what Trivy kept.
    const onKept = evaluateGate(parseTrivyReport(trivyKept, name), DEFAULT_POLICY);
    expect(g.passed).toBe(onKept.passed);
    expect(g.failing.map((f) => f.id)).toEqual(onKept.failing.map((f) => f.id));
  });

  it("Trivy v0.20's centos-7: 100 of 711 occurrences kept, the gate still fails", () => {
    const g = evaluateGate(parseTrivyReport(read('v0.20.0-centos-7'), 'c7'), {
      ...DEFAULT_POLICY,
      ignoreUnfixed: true,
    });
    expect(g.findings.reduce((n, f) => n + f.occurrences.length, 0)).toBe(100);
    expect(g.passed).toBe(false);
    expect(g.ignored[0].reasons[0]).toMatchObject({ by: 'status', option: 'ignoreUnfixed', status: 'affected' });
  });
});
