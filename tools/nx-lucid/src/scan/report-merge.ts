/**
 * report.json of a multi-platform scan, written in bounded memory: the first platform's report with the results of
 * every platform, each Target suffixed " [os/arch]" (as mergePlatformReports does), each vulnerability copied as
 * its Trivy wrote it. Each report is scanned twice (its skeleton, then its vulnerabilities as they are read); no
 * report is ever one string or one object tree.
 */
import { randomBytes } from 'node:crypto';
import { writeFileInPieces } from '../boundary/files';
import { ReportScanner, scanFile } from './report-stream';

type Skeleton = { Results?: Array<Record<string, unknown>> | null } & Record<string, unknown>;
type Part = { platform: string; file: string };

/** Each report's skeleton (vulnerability arrays empty) and how many vulnerabilities each result had. */
function skeletonOf(file: string): { skeleton: Skeleton; counts: number[] } {
  const counts: number[] = [];
  const scanner = new ReportScanner((result) => (counts[result] = (counts[result] ?? 0) + 1));
  scanFile(file, scanner);
  const skeleton = JSON.parse(Buffer.concat(scanner.skeleton).toString('utf8')) as Skeleton;
  // A report whose Results the scanner counts otherwise than JSON.parse (a key twice) is not merged by guesswork.
  if (counts.length && (skeleton.Results?.length ?? 0) !== scanner.resultIndex + 1)
    throw new Error(`${file}: its Results could not be read for the merged report.json`);
  return { skeleton, counts };
}

/**
 * The merged skeleton as text, split where each non-empty Vulnerabilities array goes (markers, in the order the
 * reports are then scanned), and the marker number of each (platform, result).
 */
function mergedPieces(parts: Part[]): { pieces: string[]; markerOf: number[][] } {
  const nonce = randomBytes(8).toString('hex');
  const markerOf: number[][] = [];
  let markers = 0;
  const skeletons = parts.map(({ platform, file }, p) => {
    const { skeleton, counts } = skeletonOf(file);
    markerOf[p] = [];
    const results = (skeleton.Results ?? []).map((r, i) => {
      const out: Record<string, unknown> = { ...r, Target: `${String(r.Target)} [${platform}]` };
      if (counts[i]) out.Vulnerabilities = `lucid-vulnerabilities-${nonce}-${(markerOf[p][i] = markers++)}`;
      return out;
    });
    return { skeleton, results };
  });
  const merged = { ...skeletons[0].skeleton, Results: skeletons.flatMap((s) => s.results) };
  const text = JSON.stringify(merged, null, 2) + '\n';
  return { pieces: text.split(new RegExp(`"lucid-vulnerabilities-${nonce}-\\d+"`)), markerOf };
}

/** Writes the merged report of `parts` (two or more platforms) to `out`. */
export function writeMergedReport(parts: Part[], out: string): void {
  const { pieces, markerOf } = mergedPieces(parts);
  writeFileInPieces(out, (write) => {
    write(pieces[0]);
    let open = -1;
    let first = true;
    const close = () => {
      if (open !== -1) write(`\n      ]${pieces[open + 1]}`);
    };
    parts.forEach(({ file }, p) => {
      scanFile(
        file,
        new ReportScanner((result, json) => {
          const marker = markerOf[p][result];
          if (marker !== open) {
            close();
            write('[');
            open = marker;
            first = true;
          }
          write(`${first ? '' : ','}\n        ${json}`);
          first = false;
        }),
      );
    });
    close();
  });
}
