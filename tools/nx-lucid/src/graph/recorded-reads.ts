/**
 * What an analysis learnt from the workspace, as it asked: each file it read (by the hash of its content), each
 * path it checked for existence and each path whose kind it looked at. A cached result stays good exactly while
 * every one of these still answers the same (graph-cache.ts).
 */
import { createHash } from 'node:crypto';
import type { PathKind, WorkspaceFiles } from './workspace-files';

/**
 * `read`: content hash, null when the read failed, and the file's stamp when the reader gave a settled one
 * (workspace-files.ts: an equal stamp later means unchanged, so no read); `exists`: the answer; `kind`: the kind,
 * null when none.
 */
export type Observation =
  | ['read', string, string | null]
  | ['read', string, string, string]
  | ['exists', string, boolean]
  | ['kind', string, PathKind | null];

export const contentHash = (text: string) => createHash('sha1').update(text).digest('base64');

/** A reader over `inner` that notes every answer it gives, in order. */
export function recordingReader(inner: WorkspaceFiles): { files: WorkspaceFiles; observations: Observation[] } {
  const observations: Observation[] = [];
  const files: WorkspaceFiles = {
    exists: (p) => {
      const e = inner.exists(p);
      observations.push(['exists', p, e]);
      return e;
    },
    read: (p) => {
      try {
        if (inner.readStamped) {
          const { text, stamp } = inner.readStamped(p);
          observations.push(stamp ? ['read', p, contentHash(text), stamp] : ['read', p, contentHash(text)]);
          return text;
        }
        const text = inner.read(p);
        observations.push(['read', p, contentHash(text)]);
        return text;
      } catch (e) {
        observations.push(['read', p, null]);
        throw e;
      }
    },
  };
  if (inner.kind) {
    const kindOf = inner.kind.bind(inner);
    files.kind = (p) => {
      const k = kindOf(p);
      observations.push(['kind', p, k ?? null]);
      return k;
    };
  }
  return { files, observations };
}

function readHash(fs: WorkspaceFiles, path: string): string | null {
  try {
    return contentHash(fs.read(path));
  } catch {
    return null;
  }
}

/**
 * Whether `fs` answers every observation as it was answered when recorded; and, when it does and a file read
 * again has a settled stamp now that it lacked then, the observations with that stamp (to store, so the next
 * check needs only a stat).
 */
export function checkObservations(
  fs: WorkspaceFiles,
  observations: readonly Observation[],
): { holds: boolean; restamped?: Observation[] } {
  let restamped: Observation[] | undefined;
  for (let i = 0; i < observations.length; i++) {
    const [what, path, answer, stamp] = observations[i];
    if (what === 'read') {
      // A settled stamp that still matches: the file was not written since it was hashed.
      if (stamp && fs.stamp?.(path) === stamp) continue;
      if (readHash(fs, path) !== answer) return { holds: false };
      const now = answer === null ? undefined : fs.stamp?.(path);
      if (now) (restamped ??= [...observations])[i] = ['read', path, answer as string, now];
    }
    if (what === 'exists' && fs.exists(path) !== answer) return { holds: false };
    if (what === 'kind' && (fs.kind?.(path) ?? null) !== answer) return { holds: false };
  }
  return restamped ? { holds: true, restamped } : { holds: true };
}

/** Whether `fs` answers every observation as it was answered when recorded. */
export function observationsHold(fs: WorkspaceFiles, observations: readonly Observation[]): boolean {
  return checkObservations(fs, observations).holds;
}
