/**
 * The context tag rules read, as docker/metadata-action's workflow context makes it (src/context.ts): the
 * event name, ref, commit and event payload of a GitHub Actions run — a pull_request_target run's ref is
 * rewritten to refs/pull/<n>/merge from the payload — or, outside Actions, the local git branch and commit.
 * Pure: the payload is read by the caller (readEventPayload).
 */
import { readFileSync } from 'node:fs';

/** What the tag logic reads of a GitHub event payload. */
export interface EventPayload {
  number?: number;
  base_ref?: string | null;
  repository?: { default_branch?: string };
  pull_request?: { number?: number; head?: { sha?: string; ref?: string }; base?: { ref?: string } };
  commits?: Array<{ id?: string; timestamp?: string }>;
  head_commit?: { id?: string; timestamp?: string } | null;
}

/** How a release was asked for, beside a git tag build. */
export type ReleaseSource = 'git-tag' | 'nx-release' | 'container-release' | 'release-version-option';

export interface TagContext {
  /** GITHUB_EVENT_NAME ('' outside Actions). */
  eventName: string;
  /** refs/heads/<branch>, refs/tags/<tag>, refs/pull/<n>/merge, or '' when unknown. */
  ref: string;
  /** The commit (40 hex), or '' when unknown. */
  sha: string;
  payload: EventPayload;
  /** The repository's default branch (edge, {{is_default_branch}} without a payload). */
  defaultBranch: string;
  /** The only branch a `latest` rule with when=branch moves latest on. */
  latestOnBranch: string;
  /** The project's phase (phase-sha). */
  phase?: number;
  /** The project, whose nx release tags (<project>@<version>) count as releases. */
  project?: string;
  /** A release asked for explicitly (--release-version, nx release, container-release create). */
  release?: { version: string; source: ReleaseSource };
  /** Versions the repository already has, for latest when=auto. */
  existingVersions?: readonly string[];
  /** The run's time ({{date}}, schedule) and the commit's ({{commit_date}}). */
  now: Date;
  commitDate: Date;
  /** {{sha}} and type=sha,format=short length (DOCKER_METADATA_SHORT_SHA_LENGTH, default 7). */
  shortShaLength: number;
}

/** The event payload at GITHUB_EVENT_PATH, or {} when unset or absent (as the action's toolkit reads it). */
export function readEventPayload(env: NodeJS.ProcessEnv): EventPayload {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  try {
    return JSON.parse(text) as EventPayload;
  } catch (e) {
    throw new Error(`${path}: GITHUB_EVENT_PATH is not a JSON event payload: ${(e as Error).message}`, { cause: e });
  }
}

function shortShaLength(env: NodeJS.ProcessEnv): number {
  const raw = env.DOCKER_METADATA_SHORT_SHA_LENGTH;
  if (!raw) return 7;
  if (isNaN(Number(raw))) throw new Error(`DOCKER_METADATA_SHORT_SHA_LENGTH is not a valid number: ${raw}`);
  return Number(raw);
}

/** The ref: GITHUB_REF (pull_request_target: the PR's merge ref), else GITHUB_REF_NAME/TYPE, else the git branch. */
function refOf(env: NodeJS.ProcessEnv, eventName: string, payload: EventPayload, gitBranch?: string): string {
  if (/pull_request_target/.test(eventName)) {
    const n = payload.number ?? payload.pull_request?.number;
    if (n === undefined)
      throw new Error('pull_request_target run: the event payload (GITHUB_EVENT_PATH) has no number');
    return `refs/pull/${n}/merge`;
  }
  if (env.GITHUB_REF) return env.GITHUB_REF;
  // A pull_request run's GITHUB_REF_NAME is "<n>/merge", not a branch.
  const pr = payload.number ?? payload.pull_request?.number;
  if (/pull_request/.test(eventName) && pr !== undefined) return `refs/pull/${pr}/merge`;
  if (env.GITHUB_REF_NAME) return `refs/${env.GITHUB_REF_TYPE === 'tag' ? 'tags' : 'heads'}/${env.GITHUB_REF_NAME}`;
  return gitBranch && gitBranch !== 'HEAD' ? `refs/heads/${gitBranch}` : '';
}

/** The commit's time from the payload (a push lists its commits; a tag has head_commit), else the run's time. */
function commitDateOf(payload: EventPayload, sha: string, now: Date): Date {
  const listed = payload.commits?.find((c) => c.id === sha)?.timestamp;
  if (listed) return new Date(listed);
  if (payload.head_commit?.id === sha && payload.head_commit.timestamp) return new Date(payload.head_commit.timestamp);
  return now;
}

export interface ContextInput {
  env: NodeJS.ProcessEnv;
  payload: EventPayload;
  /** The local branch (git rev-parse --abbrev-ref HEAD), used outside Actions. */
  gitBranch?: string;
  /** The commit when GITHUB_SHA is unset (--sha, git HEAD, metadata.json). */
  sha?: string;
  latestOnBranch: string;
  phase?: number;
  project?: string;
  release?: TagContext['release'];
  now?: Date;
}

/** The action's workflow context (with DOCKER_METADATA_PR_HEAD_SHA), or the local git one outside Actions. */
export function tagContextFrom(input: ContextInput): TagContext {
  const { env, payload } = input;
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  let sha = input.sha ?? env.GITHUB_SHA ?? '';
  if (/true/i.test(env.DOCKER_METADATA_PR_HEAD_SHA ?? '') && /pull_request/.test(eventName)) {
    sha = payload.pull_request?.head?.sha ?? sha;
  }
  const now = input.now ?? new Date();
  return {
    eventName,
    ref: refOf(env, eventName, payload, input.gitBranch),
    sha,
    payload,
    defaultBranch: payload.repository?.default_branch ?? input.latestOnBranch,
    latestOnBranch: input.latestOnBranch,
    phase: input.phase,
    project: input.project,
    release: input.release,
    now,
    commitDate: commitDateOf(payload, sha, now),
    shortShaLength: shortShaLength(env),
  };
}

/** The pull request number of a refs/pull/<n>/… ref. */
export function pullRequestOf(ref: string): number | undefined {
  const m = /^refs\/pull\/(\d+)\//.exec(ref);
  return m ? Number(m[1]) : undefined;
}
