import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readIgnoreConfig } from './ignore-match';
import { parseTrivyReport } from './report';
import { SarifLog, sarifLevel, toSarif } from './sarif';
import { fixture, fixtureText, jsonFixtureNames, sarifValidator } from './test-support';

type Run = {
  results: Array<{
    ruleId: string;
    level: string;
    message: { text: string };
    locations: Array<{ physicalLocation: { artifactLocation: { uri: string } }; message: { text: string } }>;
  }>;
  tool: {
    driver: { rules: Array<{ id: string; name: string; help: { text: string }; properties: Record<string, unknown> }> };
  };
};
const run = (log: SarifLog) => log.runs[0] as unknown as Run;

describe('SARIF 2.1.0', () => {
  const validate = sarifValidator();

  it.each(['alpine-310.sarif', 'ortelius-ms-validate-user.sarif'])(
    'the schema accepts SARIF that Trivy wrote (%s)',
    (name) => {
      expect(validate(JSON.parse(fixtureText(name)))).toBe(true);
    },
  );

  it('the schema rejects a broken log (so the checks below can fail)', () => {
    const broken = JSON.parse(fixtureText('alpine-310.sarif'));
    delete broken.runs[0].tool;
    expect(validate(broken)).toBe(false);
  });

  it.each(jsonFixtureNames())('our conversion of %s validates', (name) => {
    const ok = validate(toSarif(fixture(name), undefined, '0.58.0'));
    if (!ok) throw new Error(JSON.stringify(validate.errors, null, 2));
  });

  it("matches what Trivy's SARIF writer made of the same report (alpine-310 golden pair)", () => {
    const trivy = JSON.parse(fixtureText('alpine-310.sarif')).runs[0] as Run;
    const ours = run(
      toSarif(parseTrivyReport(readFileSync(resolve(__dirname, '__fixtures__', 'alpine-310.json'), 'utf8'))),
    );
    const results = (r: Run) =>
      r.results.map((x) => [
        x.ruleId,
        x.level,
        x.message.text,
        x.locations[0].physicalLocation.artifactLocation.uri,
        x.locations[0].message.text,
      ]);
    expect(results(ours)).toEqual(results(trivy));
    const rules = (r: Run) =>
      r.tool.driver.rules.map((x) => [
        x.id,
        x.name,
        x.help.text,
        x.properties['security-severity'],
        x.properties.tags,
        x.properties.cvssv3_baseScore,
      ]);
    expect(rules(ours)).toEqual(rules(trivy));
  });

  it("security-severity is the score of the source that set the severity (Trivy's rule), not the highest", () => {
    // debian-buster bash: LOW by debian (SeveritySource debian, no debian CVSS), NVD 7.8 → Trivy writes 2.0.
    const r = run(toSarif(fixture('debian-buster.json')));
    const sev = (id: string) => r.tool.driver.rules.find((x) => x.id === id)!.properties['security-severity'];
    expect(sev('CVE-2019-18276')).toBe('2.0');
    expect(sev('CVE-2019-18224')).toBe('9.8'); // SeveritySource nvd, nvd V3 9.8
    expect(r.results.map((x) => [x.ruleId, x.level])).toEqual([
      ['CVE-2019-18276', 'note'],
      ['CVE-2019-18224', 'error'],
    ]);
    expect(sarifLevel('MEDIUM')).toBe('warning');
  });

  it('secrets and failed misconfiguration checks are results too, as Trivy writes them', () => {
    const secrets = run(toSarif(fixture('secrets.json')));
    expect(secrets.tool.driver.rules.map((x) => x.name)).toContain('Secret');
    expect(secrets.results.find((x) => x.ruleId === 'aws-access-key-id')!.message.text).toMatch(
      /^Artifact: .*\nType: .*\nSecret AWS Access Key ID\nSeverity: CRITICAL\nMatch: /,
    );
    const misconf = run(toSarif(fixture('dockerfile.json')));
    expect(
      misconf.results.map((x) => [x.ruleId, x.level, x.locations[0].physicalLocation.artifactLocation.uri]),
    ).toEqual([['DS-0002', 'error', 'Dockerfile']]);
    expect(misconf.tool.driver.rules[0]).toMatchObject({
      name: 'Misconfiguration',
      properties: { 'security-severity': '8.0', tags: ['misconfiguration', 'security', 'HIGH'] },
    });
  });

  it('findings ignored by an entry in force are left out, as trivy convert --ignorefile leaves them out', () => {
    const sarif = toSarif(
      fixture('debian-buster.json'),
      readIgnoreConfig('CVE-2019-18276\n', '.trivyignore', new Date()),
    );
    expect(run(sarif).results.map((r) => r.ruleId)).toEqual(['CVE-2019-18224']);
  });
});
