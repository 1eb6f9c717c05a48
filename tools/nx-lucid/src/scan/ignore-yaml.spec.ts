import { DEFAULT_POLICY, evaluateGate } from './gate';
import { readIgnoreConfig } from './ignore-match';
import { parseYamlTimestamp } from './ignore-yaml';
import { fixture, fixtureText } from './test-support';

const NOW = new Date('2025-06-01T12:00:00Z');
const read = (text: string) => readIgnoreConfig(text, '.trivyignore.yaml', NOW);

/** Trivy's documented .trivyignore.yaml (docs/guide/configuration/filtering.md), fields as in pkg/result/ignore.go. */
const DOC = `
vulnerabilities:
  - id: CVE-2022-40897
    paths:
      - "usr/lib/python*/site-packages/**"
    statement: Accept the risk
  - id: CVE-2019-18276
    expired_at: 2030-01-01
  - id: CVE-2019-18224
    purls:
      - "pkg:deb/debian/libidn2-0"
    expired_at: 2024-01-01
misconfigurations:
  - id: DS-0002
    paths: ["Dockerfile"]
secrets:
  - id: aws-access-key-id
    statement: test key
licenses:
  - id: GPL-3.0
unrelated: ignored by Trivy
`;

describe('.trivyignore.yaml as Trivy reads it', () => {
  it('reads every section, keeps statements and expiries, prunes the expired', () => {
    const c = read(DOC);
    expect(c.rules.vulnerabilities.map((r) => [r.id, r.paths, r.statement, r.expiresText])).toEqual([
      ['CVE-2022-40897', ['usr/lib/python*/site-packages/**'], 'Accept the risk', undefined],
      ['CVE-2019-18276', [], undefined, '2030-01-01'],
    ]);
    expect(c.expired.map((r) => [r.id, r.purls[0]?.name])).toEqual([['CVE-2019-18224', 'libidn2-0']]);
    expect(c.rules.misconfigurations.map((r) => r.id)).toEqual(['DS-0002']);
    expect(c.rules.secrets[0]).toMatchObject({ id: 'aws-access-key-id', statement: 'test key' });
    expect(c.rules.licenses.map((r) => r.id)).toEqual(['GPL-3.0']);
  });

  it('paths are doublestar patterns on the target or the package path', () => {
    const ubi = JSON.parse(fixtureText('ubi-7-comprehensive.json'));
    const py = ubi.Results.find((r: { Target: string }) => r.Target === 'Python');
    py.Vulnerabilities[0].PkgPath = 'usr/lib/python3.6/site-packages/setuptools-40.6.2.dist-info/METADATA';
    const g = evaluateGate(ubi, DEFAULT_POLICY, read(DOC));
    expect(g.ignored.map((i) => [i.id, i.reasons.map((r) => r.by === 'ignore-file' && r.rule.statement)])).toEqual([
      ['CVE-2019-18276', [undefined]],
      ['CVE-2022-40897', ['Accept the risk']],
    ]);
    py.Vulnerabilities[0].PkgPath = 'opt/app/setuptools/METADATA';
    expect(evaluateGate(ubi, DEFAULT_POLICY, read(DOC)).findings.map((f) => f.id)).toEqual(['CVE-2022-40897']);
  });

  it('purls restrict by package; a package without a PURL matches any purls (as in Trivy)', () => {
    const yaml = `vulnerabilities:\n  - id: CVE-2019-18224\n    purls: ["pkg:deb/debian/libidn2-0?distro=debian-10.1"]\n`;
    const report = JSON.parse(fixtureText('debian-buster.json'));
    const v = report.Results[0].Vulnerabilities.find((x: { PkgName: string }) => x.PkgName === 'libidn2-0');
    // The golden's own PURL: pkg:deb/debian/libidn2-0@2.0.5-1?arch=amd64&distro=debian-10.1 (qualifiers are a superset).
    expect(v.PkgIdentifier.PURL).toBe('pkg:deb/debian/libidn2-0@2.0.5-1?arch=amd64&distro=debian-10.1');
    expect(evaluateGate(report, DEFAULT_POLICY, read(yaml)).ignored.map((i) => i.id)).toEqual(['CVE-2019-18224']);
    delete v.PkgIdentifier;
    expect(evaluateGate(report, DEFAULT_POLICY, read(yaml)).ignored.map((i) => i.id)).toEqual(['CVE-2019-18224']);
    v.PkgIdentifier = { PURL: 'pkg:deb/debian/libidn2-0@2.0.5-1?arch=amd64&distro=debian-11' };
    expect(evaluateGate(report, DEFAULT_POLICY, read(yaml)).ignored).toEqual([]);
  });

  it('a malformed PURL in the report is an error naming it, not a bare URIError', () => {
    const yaml = `vulnerabilities:\n  - id: CVE-2019-18224\n    purls: ["pkg:deb/debian/libidn2-0"]\n`;
    const report = JSON.parse(fixtureText('debian-buster.json'));
    const v = report.Results[0].Vulnerabilities.find((x: { PkgName: string }) => x.PkgName === 'libidn2-0');
    v.PkgIdentifier = { PURL: 'pkg:deb/debian/libidn2-0@2.0%zz' };
    expect(() => evaluateGate(report, DEFAULT_POLICY, read(yaml))).toThrow(
      /^Trivy report: CVE-2019-18224 in .*: PkgIdentifier\.PURL "pkg:deb\/debian\/libidn2-0@2\.0%zz": failed to parse purl\(.*\): invalid URL escape in "2\.0%zz"$/,
    );
  });

  it('expired_at is a YAML timestamp: unquoted dates and date-times; a quoted one fails the file as in Trivy', () => {
    expect(parseYamlTimestamp('2024-1-2')!.toISOString()).toBe('2024-01-02T00:00:00.000Z');
    expect(parseYamlTimestamp('2024-01-02T10:00:00+02:00')!.toISOString()).toBe('2024-01-02T08:00:00.000Z');
    expect(parseYamlTimestamp('2024-01-02 10:00:00')!.toISOString()).toBe('2024-01-02T10:00:00.000Z');
    expect(parseYamlTimestamp('2024-02-30')).toBeUndefined();
    expect(() => read('vulnerabilities:\n  - id: CVE-1\n    expired_at: "2030-01-01"\n')).toThrow(
      /^\.trivyignore\.yaml:3: parse error: cannot unmarshal "2030-01-01" into time.Time/,
    );
    expect(read('vulnerabilities:\n  - id: CVE-1\n    expired_at:\n').rules.vulnerabilities[0].expires).toBeUndefined();
  });

  it("bad patterns, purls and YAML fail the whole file with Trivy's reason", () => {
    expect(() => read('vulnerabilities:\n  - id: CVE-1\n    paths: ["a/[b"]\n')).toThrow(
      /invalid path pattern in the ignore file, id: CVE-1, path: a\/\[b/,
    );
    expect(() => read('vulnerabilities:\n  - id: CVE-1\n    purls: ["deb/debian/x"]\n')).toThrow(
      /purl error in the ignore file/,
    );
    expect(() => read('vulnerabilities: [\n')).toThrow(/yaml decode error/);
    expect(read('')).toMatchObject({ expired: [], rules: { vulnerabilities: [] } });
  });

  it.each([
    [
      'a package URL with one qualifier key twice',
      'vulnerabilities:\n  - id: CVE-1\n    purls:\n      - "pkg:deb/debian/x@1?arch=amd64&ARCH=arm64"\n',
      /^\.trivyignore\.yaml:4: parse error: purl error in the ignore file: failed to parse purl\(pkg:deb\/debian\/x@1\?arch=amd64&ARCH=arm64\): invalid qualifiers: duplicate qualifier key: "arch"$/,
    ],
    [
      'a package URL with an invalid type',
      'vulnerabilities:\n  - id: CVE-1\n    purls: ["pkg:1deb/debian/x"]\n',
      /^\.trivyignore\.yaml:3: parse error: purl error in the ignore file: failed to parse purl\(pkg:1deb\/debian\/x\): invalid type "1deb"$/,
    ],
    [
      'a top-level key written twice',
      'vulnerabilities:\n  - id: CVE-1\nsecrets: []\nvulnerabilities:\n  - id: CVE-2\n',
      /^\.trivyignore\.yaml:4: parse error: mapping key "vulnerabilities" already defined at line 1$/,
    ],
    [
      'an entry with two ids',
      'vulnerabilities:\n  - id: CVE-1\n    statement: x\n    id: CVE-2\n',
      /^\.trivyignore\.yaml:4: parse error: mapping key "id" already defined at line 2$/,
    ],
    [
      'a package URL with a broken percent escape',
      'vulnerabilities:\n  - id: CVE-1\n    purls: ["pkg:npm/%zz@1"]\n',
      /^\.trivyignore\.yaml:3: parse error: purl error in the ignore file: failed to parse purl\(pkg:npm\/%zz@1\): invalid URL escape in "%zz"$/,
    ],
  ])('Trivy refuses the whole file for %s, and so do we (file and line named)', (_what, yaml, message) => {
    expect(() => read(yaml)).toThrow(message);
  });

  it('secrets.json: a secrets rule scoped by path', () => {
    const yaml = `secrets:\n  - id: aws-access-key-id\n    paths: ["**/no-such-file"]\n`;
    const g = evaluateGate(fixture('secrets.json'), DEFAULT_POLICY, read(yaml));
    expect(g.secrets.map((s) => s.id)).toContain('aws-access-key-id');
  });
});
