/**
 * What init checks before it maps a Dockerfile: that it parses, and that its COPY/ADD sources are in its build
 * context. A context (from compose, or the default) under which the sources do not exist while they all exist
 * under another folder — the repository root, the Dockerfile's own folder — is corrected to that folder.
 */
import { posix } from 'node:path';
import {
  ContextFiles,
  describeMissingSource,
  diskContextFiles,
  missingContextSources,
  unknownTargetProblem,
  SourceCheck,
} from '../../dockerfile/context-sources';
import { DockerfileError } from '../../dockerfile/errors';
import { ignoreFileFor } from '../../dockerfile/dockerignore';
import type { InferredProject } from '../infer';
import { Workspace, workspaceFiles } from '../workspace-files';

export interface CandidateCheck {
  dockerfile: string;
  /** The context the project builds with: its own, or the corrected one. */
  context: string;
  /** Set when the context was corrected: the one compose (or the default) gave. */
  correctedFrom?: string;
  /** The file does not parse: `file:line: reason`. */
  broken?: string;
  /** Sources not in the (possibly corrected) context, one `file:line: …` line each. */
  missing: string[];
}

/** The generator's Tree (or the disk) as the reader the source check needs. */
export function contextFilesOf(workspace: Workspace & ({ children?(p: string): string[] } | string)): ContextFiles {
  if (typeof workspace === 'string') return diskContextFiles(workspace);
  const fs = workspaceFiles(workspace);
  return {
    exists: (p) => fs.exists(p),
    isDirectory: (p) => (fs.kind ? fs.kind(p) === 'directory' : false),
    ...(workspace.children ? { children: (p: string) => workspace.children!(p) } : {}),
    read: (p) => fs.read(p),
  };
}

function missingIn(files: ContextFiles, p: InferredProject, context: string): string[] {
  const check: SourceCheck = {
    dockerfile: p.dockerfile,
    context,
    ignoreFile: ignoreFileFor((path) => files.exists(path), p.dockerfile, context),
    buildArgs: p.buildArgs,
    ...(p.target ? { target: p.target } : {}),
  };
  // A compose target that names no stage fails the build as surely as a missing source.
  const target = unknownTargetProblem(files, check);
  const where = p.compose && p.compose.target === p.target ? ` (${p.compose.composeFile})` : '';
  return [
    ...(target ? [`${target}${where}`] : []),
    ...missingContextSources(files, check).map((m) => describeMissingSource(check, m)),
  ];
}

/** Parses the candidate and checks its sources, correcting a context none of them is in. */
export function checkCandidate(files: ContextFiles, p: InferredProject): CandidateCheck {
  const base = { dockerfile: p.dockerfile, context: p.context };
  let missing: string[];
  try {
    missing = missingIn(files, p, p.context);
  } catch (e) {
    if (e instanceof DockerfileError) return { ...base, broken: e.message, missing: [] };
    throw e;
  }
  // A context set in nx.json is the user's word; compose's and the default are guesses from the files.
  if (missing.length === 0 || p.contextFrom === 'projects option') return { ...base, missing };
  for (const context of ['.', posix.dirname(p.dockerfile)]) {
    if (context === p.context || (context !== '.' && !files.exists(context))) continue;
    if (missingIn(files, p, context).length === 0) return { ...base, context, correctedFrom: p.context, missing: [] };
  }
  return { ...base, missing };
}

/** Why a candidate cannot build as mapped, in one line; undefined when it can. */
export function candidateProblem(c: CandidateCheck): string | undefined {
  if (c.broken) return c.broken;
  if (c.missing.length === 0) return undefined;
  const more = c.missing.length > 1 ? ` (and ${c.missing.length - 1} more source(s) not in its context)` : '';
  return `${c.missing[0]}${more}`;
}
