import { cvssScores, formatCvss, highestCvss } from './cvss';
import { TrivyVulnerability } from './report';
import { fixture } from './test-support';

function vuln(file: string, id: string, pkg?: string): TrivyVulnerability {
  for (const r of fixture(file).Results ?? [])
    for (const v of r.Vulnerabilities ?? []) if (v.VulnerabilityID === id && (!pkg || v.PkgName === pkg)) return v;
  throw new Error(`${id} not in ${file}`);
}

describe('highestCvss', () => {
  it('bash CVE-2019-18276: vendor says LOW, NVD v3 says 7.8', () => {
    const v = vuln('debian-buster.json', 'CVE-2019-18276');
    expect(v.Severity).toBe('LOW');
    expect(highestCvss(v)).toMatchObject({ score: 7.8, source: 'nvd', version: 'V3' });
  });

  it('takes the highest source, not NVD by default (juice-shop ip: ghsa 8.1, redhat 9.8)', () => {
    expect(highestCvss(vuln('juice-shop-debian12.json', 'CVE-2024-29415'))).toMatchObject({
      score: 9.8,
      source: 'redhat',
    });
  });

  it('uses the only source there is (hapi-fhir libc6: redhat 8.1)', () => {
    expect(highestCvss(vuln('hapi-fhir-jpaserver-debian13-jar.json', 'CVE-2026-0861'))).toMatchObject({
      score: 8.1,
      source: 'redhat',
    });
  });

  it('ignores V2 scores (juice-shop CVE-2010-4756 has only V2) and reports no score', () => {
    const v = vuln('juice-shop-debian12.json', 'CVE-2010-4756');
    expect(Object.values(v.CVSS ?? {}).some((c) => typeof c.V2Score === 'number')).toBe(true);
    expect(highestCvss(v)).toBeUndefined();
    expect(formatCvss(highestCvss(v))).toBe('no CVSS v3/v4 score');
  });

  it('counts a V4.0 score when it is the highest', () => {
    const v = vuln('debian-buster.json', 'CVE-2019-18276');
    const withV4 = {
      ...v,
      CVSS: {
        ...v.CVSS,
        ghsa: { V40Vector: 'CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', V40Score: 8.5 },
      },
    };
    expect(highestCvss(withV4)).toMatchObject({ score: 8.5, source: 'ghsa', version: 'V4.0' });
    expect(cvssScores(withV4)).toHaveLength(3);
    expect(formatCvss(highestCvss(withV4))).toBe('CVSS v4.0 8.5 (ghsa)');
  });
});
