/**
 * What an analysis learnt from the workspace, as it asked: each file it read (by the hash of its content), each
 * path it checked for existence and each path whose kind it looked at. A cached result stays good exactly while
 * every one of these still answers the same (graph-cache.ts).
 */
import { createHash } from 'node:crypto';
import type { PathKind, WorkspaceFiles } from './workspace-files';

/** `read`: content hash, null when the read failed; `exists`: the answer; `kind`: the kind, null when none. */
export type Observation =
  ['read', string, string | null] | ['exists', string, boolean] | ['kind', string, PathKind | null];

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

/** Whether `fs` answers every observation as it was answered when recorded. */
export function observationsHold(fs: WorkspaceFiles, observations: readonly Observation[]): boolean {
  for (const [what, path, answer] of observations) {
    if (what === 'read' && readHash(fs, path) !== answer) return false;
    if (what === 'exists' && fs.exists(path) !== answer) return false;
    if (what === 'kind' && (fs.kind?.(path) ?? null) !== answer) return false;
  }
  return true;
}
