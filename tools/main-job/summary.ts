/**
 * The main job's report: one row per service from the build/push/verify outputs and Nx's task
 * results, and the registry catalog check. Pure: callers pass in what they read.
 */
import { pushRecordSchema, PushRecord } from '../nx-lucid/src/artifacts/push-record';
import type { BuildMetadata } from '../nx-lucid/src/artifacts/metadata';
import { formatBytes } from '../nx-lucid/src/boundary/format-bytes';
import { platformString } from '../nx-lucid/src/oci/types';

export { formatBytes };

/** One task of Nx's run.json (written by Nx after every run, in its cache directory). */
export interface NxTaskResult {
  taskId: string;
  target: string;
  projectName: string;
  hash?: string;
  cacheStatus: 'local-cache-hit' | 'remote-cache-hit' | 'cache-miss';
  /** Exit code (0 = success). */
  status: number;
  /** The targets the nx run that reported this asked for (set by the main job; others ran as dependencies). */
  requested?: readonly string[];
}

/** dist/containers/<p>/push.json, read through the schema container-push writes it with. */
export const pushReportSchema = pushRecordSchema;
/** The part of a push record a row shows. */
export type PushReport = Pick<PushRecord, 'tags' | 'uploadedBytes'> & {
  blobs?: Pick<PushRecord['blobs'], 'uploaded' | 'mounted' | 'skipped'>;
};

export interface Service {
  name: string;
  phase: number | null;
}

export type ScanState = { kind: 'skipped'; reason: string } | { kind: 'ran' };

export interface ServiceRow {
  service: string;
  phase: string;
  digest: string;
  platforms: string;
  tags: string;
  size: string;
  cache: string;
  scan: string;
  verify: string;
  uploaded: string;
  /** Blobs uploaded, mounted from a sibling repository, already present. */
  blobs: string;
  /** Each step's own outcome, for the totals. */
  stages: { built: boolean; scanned: boolean; pushed: boolean; verified: boolean };
  ok: boolean;
}

/**
 * A service's outcome for one target: the runs that asked for the target speak for it (a later run that re-ran
 * it only as a dependency, e.g. a build re-run by verify after the registry died, does not undo it); of those,
 * the last decides, and a success is named by the run that made it (built, not a later restore).
 */
function taskOf(tasks: readonly NxTaskResult[], project: string, target: string): NxTaskResult | undefined {
  const all = tasks.filter((t) => t.projectName === project && t.target === target);
  const asked = all.filter((t) => !t.requested || t.requested.includes(target));
  const runs = asked.length ? asked : all;
  let i = runs.length - 1;
  if (i < 0 || runs[i].status !== 0) return runs[i];
  while (i > 0 && runs[i - 1].status === 0) i--;
  return runs[i];
}

function cacheLabel(t: NxTaskResult | undefined): string {
  if (!t) return 'not run';
  if (t.status !== 0) return 'FAILED';
  return t.cacheStatus === 'cache-miss' ? 'built' : t.cacheStatus === 'remote-cache-hit' ? 'remote cache' : 'cache hit';
}

export interface RowInput {
  service: Service;
  metadata?: BuildMetadata;
  push?: PushReport;
  /** Every Nx task result of this run (all nx invocations, in order). */
  tasks: readonly NxTaskResult[];
  scan: ScanState;
  targets: { build: string; scan: string; push: string; verify: string };
}

export function serviceRow(i: RowInput): ServiceRow {
  const build = taskOf(i.tasks, i.service.name, i.targets.build);
  const scan = taskOf(i.tasks, i.service.name, i.targets.scan);
  const push = taskOf(i.tasks, i.service.name, i.targets.push);
  const verify = taskOf(i.tasks, i.service.name, i.targets.verify);
  const m = i.metadata;
  const scanLabel = i.scan.kind === 'skipped' ? 'skipped' : !scan ? 'not run' : scan.status === 0 ? 'passed' : 'FAILED';
  const verifyLabel = !verify ? 'not run' : verify.status === 0 ? 'passed' : 'FAILED';
  const pushed = push?.status === 0;
  const stages = {
    built: build?.status === 0,
    scanned: i.scan.kind === 'ran' && scan?.status === 0,
    pushed,
    verified: verify?.status === 0,
  };
  return {
    service: i.service.name,
    phase: i.service.phase === null ? '-' : String(i.service.phase),
    digest: m ? m.index.digest.slice(0, 19) : '-',
    platforms: m ? m.manifests.map((x) => platformString(x.platform)).join(',') : '-',
    tags: pushed && i.push ? i.push.tags.join(',') : push ? (pushed ? '?' : 'push FAILED') : 'not pushed',
    size: m ? formatBytes(m.compressedSize) : '-',
    cache: cacheLabel(build),
    scan: scanLabel,
    verify: verifyLabel,
    uploaded: pushed && i.push ? formatBytes(i.push.uploadedBytes) : '-',
    blobs:
      pushed && i.push?.blobs
        ? `${i.push.blobs.uploaded} up, ${i.push.blobs.mounted} mounted, ${i.push.blobs.skipped} present`
        : '-',
    stages,
    ok: stages.built && pushed && stages.verified && (i.scan.kind === 'skipped' || stages.scanned),
  };
}

const COLUMNS: Array<[keyof ServiceRow, string]> = [
  ['service', 'service'],
  ['phase', 'phase'],
  ['digest', 'index digest'],
  ['platforms', 'platforms'],
  ['tags', 'tags'],
  ['size', 'compressed'],
  ['cache', 'build'],
  ['scan', 'scan'],
  ['verify', 'verify'],
  ['uploaded', 'uploaded'],
  ['blobs', 'blobs'],
];

export function formatTable(rows: readonly ServiceRow[]): string {
  const cells = [COLUMNS.map(([, h]) => h), ...rows.map((r) => COLUMNS.map(([k]) => String(r[k])))];
  const widths = COLUMNS.map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  const line = (row: string[]) =>
    row
      .map((v, c) => v.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export interface Totals {
  services: number;
  ok: number;
  /** Services whose step passed, per step. */
  stages: Record<keyof ServiceRow['stages'], number>;
  fromCache: number;
  built: number;
  uploadedBytes: number;
  uploadedBlobs: number;
  mountedBlobs: number;
  presentBlobs: number;
}

export function totals(rows: readonly ServiceRow[], pushes: readonly (PushReport | undefined)[]): Totals {
  return {
    services: rows.length,
    ok: rows.filter((r) => r.ok).length,
    stages: {
      built: rows.filter((r) => r.stages.built).length,
      scanned: rows.filter((r) => r.stages.scanned).length,
      pushed: rows.filter((r) => r.stages.pushed).length,
      verified: rows.filter((r) => r.stages.verified).length,
    },
    fromCache: rows.filter((r) => r.cache === 'cache hit' || r.cache === 'remote cache').length,
    built: rows.filter((r) => r.cache === 'built').length,
    uploadedBytes: pushes.reduce((s, p) => s + (p?.uploadedBytes ?? 0), 0),
    uploadedBlobs: pushes.reduce((s, p) => s + (p?.blobs?.uploaded ?? 0), 0),
    mountedBlobs: pushes.reduce((s, p) => s + (p?.blobs?.mounted ?? 0), 0),
    presentBlobs: pushes.reduce((s, p) => s + (p?.blobs?.skipped ?? 0), 0),
  };
}

const blobs = (n: number) => `${n} blob${n === 1 ? '' : 's'}`;

/** The line under the table: how many services passed, what the Nx cache saved, what the registry received. */
export function totalsLine(sum: Totals): string {
  return (
    `${sum.ok}/${sum.services} services built, pushed and verified (steps passed: build ${sum.stages.built}, scan ${sum.stages.scanned}, push ${sum.stages.pushed}, verify ${sum.stages.verified}); builds: ${sum.built} built, ${sum.fromCache} restored from the Nx cache; ` +
    `uploaded ${formatBytes(sum.uploadedBytes)} in ${blobs(sum.uploadedBlobs)}; ${blobs(sum.mountedBlobs)} mounted from sibling repositories, ${sum.presentBlobs} already present.`
  );
}

/**
 * Checks the catalog: every service has <repository>/<service> with latest (when pushed from the
 * latest branch), <sha> and phase<N>-<sha>, where <sha> is the full commit or a prefix of at least 7.
 */
export function checkCatalog(
  services: readonly Service[],
  repository: string,
  catalog: readonly string[],
  tagsByRepo: Readonly<Record<string, readonly string[]>>,
  gitSha: string,
  expectLatest: boolean,
): string[] {
  const problems: string[] = [];
  const isSha = (t: string) => t.length >= 7 && gitSha.startsWith(t);
  for (const s of services) {
    const repo = `${repository}/${s.name}`;
    if (!catalog.includes(repo)) {
      problems.push(`${repo}: not in the catalog`);
      continue;
    }
    const tags = tagsByRepo[repo] ?? [];
    const missing: string[] = [];
    if (expectLatest && !tags.includes('latest')) missing.push('latest');
    const shaTags = tags.filter(isSha);
    if (!shaTags.length) missing.push(`<sha> (${gitSha.slice(0, 7)}…)`);
    if (
      s.phase !== null &&
      !tags.some((t) => t.startsWith(`phase${s.phase}-`) && isSha(t.slice(`phase${s.phase}-`.length)))
    ) {
      missing.push(`phase${s.phase}-<sha>`);
    }
    if (missing.length) problems.push(`${repo}: missing tag ${missing.join(', ')} (has ${tags.join(', ') || 'none'})`);
  }
  return problems;
}
