import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PIPELINE_CASES, pipelineDigests, BOUNDED, WHOLE } from './testing/pipeline-outputs';

/**
 * The gate's decision, gate.json, summary.md and the SARIF (whole and cut to small limits) for every real report,
 * pinned by digest to what the implementation wrote when the golden file was made (scan/__fixtures__/
 * pipeline-outputs.json). A reading of reports that changes any byte of any output fails here.
 */
const FIXTURES = resolve(__dirname, '__fixtures__');
const GOLDEN = JSON.parse(readFileSync(join(FIXTURES, 'pipeline-outputs.json'), 'utf8')) as Record<
  string,
  Record<string, string>
>;
const reports = ['trivy', 'trivy-ignore-unfixed'].flatMap((d) =>
  readdirSync(join(FIXTURES, d))
    .filter((f) => f.endsWith('.json') && !f.endsWith('.cdx.json'))
    .map((f) => `${d}/${f}`),
);

describe('scan outputs are the same bytes for every real report', () => {
  it('has a golden entry for every report and case', () => {
    expect(reports.length).toBeGreaterThanOrEqual(30);
    const keys = reports.flatMap((r) => PIPELINE_CASES.map((c) => `${r} ${c.name}`)).sort();
    expect(Object.keys(GOLDEN).sort()).toEqual(keys);
  });

  for (const [wayName, way] of [
    ['read whole', WHOLE],
    ['bounded memory', BOUNDED],
  ] as const)
    for (const r of reports)
      for (const c of PIPELINE_CASES)
        it(`${r} (${c.name}, ${wayName})`, () => {
          expect(pipelineDigests(join(FIXTURES, r), c, way)).toEqual(GOLDEN[`${r} ${c.name}`]);
        });
});
