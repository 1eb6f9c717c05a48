import { parseIgnoreFile, partitionIgnores } from './ignore-file';
import { sarifLevel, toSarif } from './sarif';
import { fixture, fixtureText, jsonFixtureNames, sarifValidator } from './test-support';

describe('SARIF 2.1.0', () => {
  const validate = sarifValidator();

  it.each(['alpine-310.sarif', 'ortelius-ms-validate-user.sarif'])('the schema accepts SARIF that Trivy wrote (%s)', (name) => {
    expect(validate(JSON.parse(fixtureText(name)))).toBe(true);
  });

  it('the schema rejects a broken log (so the checks below can fail)', () => {
    const broken = JSON.parse(fixtureText('alpine-310.sarif'));
    delete broken.runs[0].tool;
    broken.runs[0].results[0].level = 'fatal';
    expect(validate(broken)).toBe(false);
  });

  it.each(jsonFixtureNames())('our conversion of %s validates', (name) => {
    const sarif = toSarif(fixture(name), undefined, '0.58.0');
    const ok = validate(sarif);
    if (!ok) throw new Error(JSON.stringify(validate.errors, null, 2));
  });

  it('one result per finding, one rule per ID, security-severity from the highest CVSS', () => {
    const report = fixture('debian-buster.json');
    const sarif = toSarif(report) as { runs: Array<{ results: Array<{ ruleId: string; level: string }>; tool: { driver: { rules: Array<{ id: string; properties: Record<string, unknown> }> } } }> };
    const run = sarif.runs[0];
    expect(run.results.map((r) => [r.ruleId, r.level])).toEqual([
      ['CVE-2019-18276', 'note'],
      ['CVE-2019-18224', 'error'],
    ]);
    expect(run.tool.driver.rules.find((r) => r.id === 'CVE-2019-18276')!.properties['security-severity']).toBe('7.8');
    expect(sarifLevel('MEDIUM')).toBe('warning');
  });

  it('findings ignored by an entry in force are left out, as trivy convert leaves them out', () => {
    const sarif = toSarif(fixture('debian-buster.json'), partitionIgnores(parseIgnoreFile('CVE-2019-18276\n'), new Date())) as {
      runs: Array<{ results: Array<{ ruleId: string }> }>;
    };
    expect(sarif.runs[0].results.map((r) => r.ruleId)).toEqual(['CVE-2019-18224']);
  });
});
