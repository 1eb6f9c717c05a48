import { DEFAULT_POLICY, evaluateGate } from './gate';
import { parseIgnoreFile, plainIgnoreConfig } from './ignore-file';
import { readIgnoreConfig } from './ignore-match';
import { fixture } from './test-support';

/** Each case states what Trivy's parseIgnore (pkg/result/ignore.go) makes of the line. */
describe('.trivyignore as Trivy reads it', () => {
  const one = (text: string) => parseIgnoreFile(text);

  it('ids, exp: dates (midnight UTC), comment lines, extra fields, CRLF', () => {
    const rules = one(
      '# accepted risks\r\nCVE-2019-18224\r\nCVE-2019-18276 exp:2020-01-01   # bash: not reachable\nCVE-2021-0001 exp:9999-01-01 key2:value2\n\n   # indented comment\naws-access-key-id',
    );
    expect(rules.map((e) => [e.id, e.expiresText, e.line])).toEqual([
      ['CVE-2019-18224', undefined, 2],
      ['CVE-2019-18276', '2020-01-01', 3],
      ['CVE-2021-0001', '9999-01-01', 4],
      ['aws-access-key-id', undefined, 7],
    ]);
    expect(rules[1].expires!.toISOString()).toBe('2020-01-01T00:00:00.000Z');
    expect(rules[1].statement).toBe('bash: not reachable');
  });

  it('`#` is a comment only at the start of a line: CVE-X#note is the ID "CVE-X#note" and ignores nothing', () => {
    expect(one('CVE-2019-18224#note\n').map((r) => r.id)).toEqual(['CVE-2019-18224#note']);
    const g = evaluateGate(
      fixture('debian-buster.json'),
      DEFAULT_POLICY,
      readIgnoreConfig('CVE-2019-18224#note\n', '.trivyignore', new Date()),
    );
    expect(g.failing.map((f) => f.id)).toContain('CVE-2019-18224');
  });

  it('the FIRST exp: field wins', () => {
    expect(one('CVE-1 exp:2020-01-01 exp:2999-01-01\n')[0].expiresText).toBe('2020-01-01');
  });

  it('an exp: inside a trailing "# …" comment still sets the expiry (Trivy splits the whole line into fields)', () => {
    const [r] = one('CVE-2019-18224 # accepted until exp:2020-01-01\n');
    expect(r).toMatchObject({ id: 'CVE-2019-18224', expiresText: '2020-01-01' });
    const cfg = plainIgnoreConfig([r], new Date('2025-01-01T00:00:00Z'));
    expect(cfg.rules.vulnerabilities).toEqual([]);
    expect(cfg.expired.map((e) => e.id)).toEqual(['CVE-2019-18224']);
  });

  it('a UTF-8 BOM is not stripped (Go TrimSpace keeps U+FEFF): the first ID matches nothing, with a warning', () => {
    const cfg = readIgnoreConfig('\ufeffCVE-2019-18224\nCVE-2019-18276\n', '.trivyignore', new Date());
    expect(cfg.rules.vulnerabilities.map((r) => r.id)).toEqual(['\ufeffCVE-2019-18224', 'CVE-2019-18276']);
    expect(cfg.warnings[0]).toMatch(/line 1: the ID starts with a UTF-8 BOM.*"CVE-2019-18224" is NOT ignored/);
    const g = evaluateGate(fixture('debian-buster.json'), DEFAULT_POLICY, cfg);
    expect(g.failing.map((f) => f.id)).toEqual(['CVE-2019-18224']);
  });

  it('whitespace is Go whitespace: U+0085 separates fields, U+FEFF does not', () => {
    expect(one('CVE-1\u0085exp:2020-01-01\n')[0]).toMatchObject({ id: 'CVE-1', expiresText: '2020-01-01' });
    const [bom] = one('CVE-1\ufeffexp:2020-01-01\n');
    expect([bom.id, bom.expiresText]).toEqual(['CVE-1\ufeffexp:2020-01-01', undefined]);
  });

  it('an exp: field counts even as the first field when the line has more (Trivy scans all fields)', () => {
    expect(one('exp:2020-01-01 CVE-1\n')[0]).toMatchObject({ id: 'exp:2020-01-01', expiresText: '2020-01-01' });
    expect(one('exp:garbage\n').map((r) => [r.id, r.expiresText])).toEqual([['exp:garbage', undefined]]);
  });

  it('a malformed or impossible date stops with an error naming the line (Trivy drops the line: both fail closed)', () => {
    expect(() => one('CVE-1 exp:2024-13-01\nCVE-2 exp:tomorrow\nCVE-3 exp:2024-1-05\n')).toThrow(
      /\.trivyignore has invalid entries:\n {2}- line 1: "exp:2024-13-01".*\n {2}- line 2: "exp:tomorrow".*\n {2}- line 3: "exp:2024-1-05"/,
    );
    expect(() => one('CVE-1 exp:2023-02-29')).toThrow(/line 1/);
  });

  it('an entry stops ignoring once its date has begun (UTC), as in Trivy (ExpiredAt.Before(now))', () => {
    const rules = one('CVE-A exp:2025-03-01\nCVE-B\n');
    expect(plainIgnoreConfig(rules, new Date('2025-03-01T00:00:00Z')).rules.vulnerabilities.map((e) => e.id)).toEqual([
      'CVE-A',
      'CVE-B',
    ]);
    const after = plainIgnoreConfig(rules, new Date('2025-03-01T00:00:01Z'));
    expect(after.rules.secrets.map((e) => e.id)).toEqual(['CVE-B']);
    expect(after.expired.map((e) => e.id)).toEqual(['CVE-A']);
  });
});
