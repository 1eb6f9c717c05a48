/**
 * Test and bench support: a report of `n` findings grown deterministically from a real one, written piece by piece
 * (a 50,000-finding report is ~146 MB; the writer never holds it whole). Copy k of a finding names its package
 * `<name>-k` (so each copy is a distinct finding), every other field — IDs, scores, texts, statuses — as Trivy wrote
 * it. The seed's results and metadata are kept. The bytes are JSON.stringify(report, null, 2)'s.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileInPieces } from '../../boundary/files';

/** The real report the big one is grown from: the one with the most findings (juice-shop, 71 over 6 results). */
export const GROWN_SEED = resolve(__dirname, '..', '__fixtures__', 'trivy', 'juice-shop-debian12.json');

type Vuln = Record<string, unknown> & { PkgName: string; PkgID?: string; PkgIdentifier?: { PURL?: string } };
type Report = Record<string, unknown> & {
  Results?: Array<Record<string, unknown> & { Vulnerabilities?: Vuln[] | null }>;
};

/** Copy `copy` of a seed finding. */
function grownCopy(v: Vuln, copy: number): Vuln {
  const name = `${v.PkgName}-${copy}`;
  return {
    ...v,
    PkgName: name,
    ...(v.PkgID ? { PkgID: v.PkgID.replace(v.PkgName, name) } : {}),
    ...(v.PkgIdentifier?.PURL
      ? { PkgIdentifier: { ...v.PkgIdentifier, PURL: v.PkgIdentifier.PURL.replace(v.PkgName, name) } }
      : {}),
  };
}

/** Writes the grown report to `file`. */
export function writeGrownReport(n: number, file: string, seedFile = GROWN_SEED): void {
  const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as Report;
  const results = (seed.Results ?? []).filter((r) => r.Vulnerabilities?.length);
  const templates = results.flatMap((r, ri) => (r.Vulnerabilities ?? []).map((v) => ({ ri, v })));
  const perResult = results.map((_, ri) => templates.reduce((k, t, i) => k + (t.ri === ri ? countOf(i) : 0), 0));
  function countOf(i: number): number {
    return Math.floor(n / templates.length) + (i < n % templates.length ? 1 : 0);
  }
  const nonce = randomBytes(8).toString('hex');
  const marked = results.map((r, ri) => ({ ...r, Vulnerabilities: perResult[ri] ? `grown-${nonce}-${ri}` : [] }));
  const pieces = JSON.stringify({ ...seed, Results: marked }, null, 2).split(new RegExp(`"grown-${nonce}-\\d+"`));
  const indent = (v: Vuln) => JSON.stringify(v, null, 2).replace(/\n/g, '\n        ');
  writeFileInPieces(file, (write) => {
    let pending = pieces[0];
    const put = (text: string) => {
      pending += text;
      if (pending.length < 1 << 20) return;
      write(pending);
      pending = '';
    };
    let piece = 1;
    results.forEach((_, ri) => {
      if (!perResult[ri]) return;
      // Finding i of the grown report is copy floor(i / t) of template i mod t; this result's, in that order.
      let first = true;
      for (let i = 0; i < n; i++) {
        const t = templates[i % templates.length];
        if (t.ri !== ri) continue;
        put(`${first ? '[' : ','}\n        ${indent(grownCopy(t.v, Math.floor(i / templates.length)))}`);
        first = false;
      }
      put(`\n      ]${pieces[piece++]}`);
    });
    write(pending);
  });
}
