import { parseIgnoreFile, partitionIgnores } from './ignore-file';

const TEXT = `# accepted risks
CVE-2019-18224
CVE-2019-18276 exp:2020-01-01   # bash: not reachable
CVE-2021-0001 exp:9999-01-01 key2:value2

aws-access-key-id
`;

describe('parseIgnoreFile', () => {
  it('reads ids, exp: dates (midnight UTC), comments and extra fields', () => {
    const entries = parseIgnoreFile(TEXT);
    expect(entries.map((e) => [e.id, e.expiresText, e.line])).toEqual([
      ['CVE-2019-18224', undefined, 2],
      ['CVE-2019-18276', '2020-01-01', 3],
      ['CVE-2021-0001', '9999-01-01', 4],
      ['aws-access-key-id', undefined, 6],
    ]);
    expect(entries[1].expires!.toISOString()).toBe('2020-01-01T00:00:00.000Z');
    expect(entries[1].statement).toBe('bash: not reachable');
  });

  it('rejects a malformed or impossible date, naming the line', () => {
    expect(() => parseIgnoreFile('CVE-1 exp:2024-13-01\nCVE-2 exp:tomorrow\n', '.trivyignore')).toThrow(
      /\.trivyignore has invalid entries:\n {2}- line 1: "exp:2024-13-01".*\n {2}- line 2: "exp:tomorrow"/,
    );
    expect(() => parseIgnoreFile('CVE-1 exp:2023-02-29')).toThrow(/line 1/);
  });
});

describe('partitionIgnores', () => {
  it('an entry stops ignoring once its date has begun (UTC), as in Trivy', () => {
    const entries = parseIgnoreFile('CVE-A exp:2025-03-01\nCVE-B\n');
    const before = partitionIgnores(entries, new Date('2025-02-28T23:59:59Z'));
    expect(before.active.map((e) => e.id)).toEqual(['CVE-A', 'CVE-B']);
    const after = partitionIgnores(entries, new Date('2025-03-01T00:00:01Z'));
    expect(after.active.map((e) => e.id)).toEqual(['CVE-B']);
    expect(after.expired.map((e) => e.id)).toEqual(['CVE-A']);
  });
});
