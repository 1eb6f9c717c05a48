/** How the plugin reads workspace files: from disk in the graph hooks, from the generator's Tree in init. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WorkspaceFiles {
  exists(path: string): boolean;
  /** UTF-8 text of a workspace-relative file; throws when it is missing. */
  read(path: string): string;
}

/** A workspace root on disk, or any reader (e.g. over an Nx Tree). */
export type Workspace = string | WorkspaceFiles;

export function workspaceFiles(ws: Workspace): WorkspaceFiles {
  if (typeof ws !== 'string') return ws;
  return { exists: (p) => existsSync(join(ws, p)), read: (p) => readFileSync(join(ws, p), 'utf8') };
}
