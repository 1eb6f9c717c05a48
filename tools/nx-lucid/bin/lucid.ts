/**
 * lucid: workspace commands that Nx itself does not offer.
 *
 *   lucid affected [--base=<rev>] [--head=<rev>] [--projects=<pattern,...>] [-t <target> ...] [--parallel=N] [--json] [--dry-run]
 *   lucid merge-platforms --projects=<a,b,...> --into=<dir> --from=<dir> --from=<dir> [--dry-run]
 *   lucid prune|usage [--projects=<pattern,...>] [--registry=<host>] [--dry-run] [--json]
 *
 * Lists the container projects whose image inputs changed between base and head (Dockerfile-aware: a README,
 * a test or a .dockerignore'd file affects nothing), or runs `nx run-many -t <targets> --projects=<list>` on them.
 * Without --head the working tree (uncommitted and untracked files) is compared with base, as Nx does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerAffected, fromNxGraph, InputDefinition } from '../src/graph/affected/affected';
import { git, gitMaybe } from '../src/boundary/git';
import { readLockfile } from '../src/graph/affected/lockfile';
import { formatCommand, ProcessError, runProcess } from '../src/boundary/process';
import { mergePlatformOutputs } from '../src/ci/merge-platforms';
import { schema as releaseSchema } from '../src/nx/executors/release/options';
import { formatIssues } from '../src/config/options';
import { ServiceRelease, workspacePrune, workspaceUsage } from '../src/release/workspace-retention';

const USAGE = `usage: lucid affected [--base=<rev>] [--head=<rev>] [--projects=<pattern,...>] [-t <target> ...] [--parallel=N] [--json] [--dry-run]`;

export interface AffectedArgs {
  base?: string;
  head?: string;
  projects: string[];
  targets: string[];
  json: boolean;
  dryRun: boolean;
  /** Passed to nx run-many. */
  parallel?: number;
}

export class UsageError extends Error {}

/** Parses `--k=v`, `--k v`, `-t a b`, `-t a,b`, repeated `-t`. */
export function parseAffectedArgs(argv: string[]): AffectedArgs {
  const out: AffectedArgs = { projects: [], targets: [], json: false, dryRun: false };
  const list = (v: string) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const key = arg.startsWith('-') ? (eq > 0 ? arg.slice(0, eq) : arg) : arg;
    const takeValue = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('-')) throw new UsageError(`${key} needs a value\n${USAGE}`);
      i++;
      return next;
    };
    switch (key) {
      case '--base':
        out.base = takeValue();
        break;
      case '--head':
        out.head = takeValue();
        break;
      case '--projects':
      case '-p':
        out.projects.push(...list(takeValue()));
        break;
      case '-t':
      case '--target':
      case '--targets': {
        out.targets.push(...list(takeValue()));
        // `-t build scan`: further bare words are targets too.
        while (eq < 0 && argv[i + 1] !== undefined && !argv[i + 1].startsWith('-'))
          out.targets.push(...list(argv[++i]));
        break;
      }
      case '--json':
        out.json = true;
        break;
      case '--dry-run':
        out.dryRun = true;
        break;
      case '--parallel': {
        const value = takeValue();
        if (!/^[1-9][0-9]*$/.test(value))
          throw new UsageError(`--parallel takes a positive whole number, got "${value}"\n${USAGE}`);
        out.parallel = Number(value);
        break;
      }
      default:
        throw new UsageError(`unknown argument "${arg}"\n${USAGE}`);
    }
  }
  return out;
}

async function revExists(cwd: string, rev: string): Promise<boolean> {
  return (await gitMaybe(cwd, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`])) !== undefined;
}

/** Files changed between the merge base of base/head and head (or the working tree), both sides of renames. */
export async function changedFiles(cwd: string, base: string, head?: string): Promise<string[]> {
  for (const rev of [base, ...(head ? [head] : [])]) {
    if (!(await revExists(cwd, rev))) throw new UsageError(`"${rev}" is not a commit in ${cwd}`);
  }
  const mergeBase = (await gitMaybe(cwd, ['merge-base', base, head ?? 'HEAD'])) ?? base;
  const lines = (s: string) =>
    s
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  if (head) return lines(await git(cwd, ['diff', '--name-only', '--no-renames', '--relative', mergeBase, head]));
  const tracked = lines(await git(cwd, ['diff', '--name-only', '--no-renames', '--relative', mergeBase]));
  const untracked = lines(await git(cwd, ['ls-files', '--others', '--exclude-standard']));
  return [...new Set([...tracked, ...untracked])].sort();
}

const LOCKFILE = 'package-lock.json';

/** The lockfile at the merge base and at head (or in the working tree), for a lockfile change. */
export async function lockfileChange(cwd: string, base: string, head?: string) {
  const mergeBase =
    (await runProcess('git', ['merge-base', base, head ?? 'HEAD'], { cwd, allowFailure: true })).stdout.trim() || base;
  const at = async (rev: string) => {
    const r = await runProcess('git', ['show', `${rev}:./${LOCKFILE}`], { cwd, allowFailure: true });
    return r.exitCode === 0 ? r.stdout : '{"lockfileVersion":3,"packages":{}}';
  };
  const now = head ? await at(head) : readFileSync(join(cwd, LOCKFILE), 'utf8');
  return {
    file: LOCKFILE,
    before: readLockfile(await at(mergeBase), `${LOCKFILE} at ${mergeBase}`),
    after: readLockfile(now, LOCKFILE),
  };
}

export interface RunAffectedResult {
  exitCode: number;
  projects: string[];
}

export async function runAffected(
  argv: string[],
  cwd: string,
  write: (s: string) => void = (s) => process.stdout.write(s),
): Promise<RunAffectedResult> {
  const args = parseAffectedArgs(argv);
  const nxJson = JSON.parse(readFileSync(join(cwd, 'nx.json'), 'utf8'));
  const base = args.base ?? nxJson.defaultBase ?? 'main';
  const files = await changedFiles(cwd, base, args.head);

  // Nx computes the graph for the workspace it is loaded from, so load it from there.
  process.chdir(cwd);
  const { createProjectGraphAsync } = require('@nx/devkit') as typeof import('@nx/devkit');
  const projectGraph = await createProjectGraphAsync({ exitOnError: false });
  let affected = containerAffected({
    changedFiles: files,
    graph: fromNxGraph(projectGraph as never),
    namedInputs: (nxJson.namedInputs ?? {}) as Record<string, InputDefinition[]>,
    lockfile: files.includes(LOCKFILE) ? await lockfileChange(cwd, base, args.head) : undefined,
  });
  if (args.projects.length > 0) {
    const { findMatchingProjects } = require('nx/src/utils/find-matching-projects') as {
      findMatchingProjects(patterns: string[], nodes: Record<string, unknown>): string[];
    };
    const allowed = new Set(findMatchingProjects(args.projects, projectGraph.nodes));
    affected = affected.filter((a) => allowed.has(a.name));
  }
  const names = affected.map((a) => a.name);
  const range = `${base}...${args.head ?? 'working tree'}`;

  if (args.json) {
    write(`${JSON.stringify({ base, head: args.head ?? null, changedFiles: files, affected }, null, 2)}\n`);
    if (args.targets.length === 0) return { exitCode: 0, projects: names };
  }
  if (names.length === 0) {
    if (!args.json) write(`No container project is affected by ${range} (${files.length} changed file(s)).\n`);
    return { exitCode: 0, projects: [] };
  }
  if (args.targets.length === 0) {
    if (!args.json) write(`${names.join('\n')}\n`);
    return { exitCode: 0, projects: names };
  }
  const runArgs = [
    'nx',
    'run-many',
    '-t',
    ...args.targets,
    `--projects=${names.join(',')}`,
    ...(args.parallel ? [`--parallel=${args.parallel}`] : []),
  ];
  if (args.dryRun) {
    write(`[dry-run] would run: ${formatCommand('npx', runArgs)}\n`);
    return { exitCode: 0, projects: names };
  }
  write(`Affected by ${range}: ${names.join(', ')}\n`);
  // Nx runs the pushes: it needs the registry credentials (each of its children chooses its own again).
  const result = await runProcess('npx', runArgs, { cwd, env: process.env, stream: true, allowFailure: true });
  return { exitCode: result.exitCode, projects: names };
}

/** Native arm64 CI: one multi-platform build output per service from the per-platform ones (src/ci/merge-platforms.ts). */
export function runMergePlatforms(
  argv: string[],
  cwd: string,
  write: (s: string) => void = (s) => process.stdout.write(s),
): number {
  const usage = 'usage: lucid merge-platforms --projects=<a,b,...> --into=<dir> --from=<dir> --from=<dir> [--dry-run]';
  const args = { projects: [] as string[], into: '', from: [] as string[], dryRun: false };
  for (const arg of argv) {
    const [key, value = ''] = arg.split(/=(.*)/s);
    if (key === '--projects')
      args.projects.push(
        ...value
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      );
    else if (key === '--into' && value) args.into = value;
    else if (key === '--from' && value) args.from.push(value);
    else if (arg === '--dry-run') args.dryRun = true;
    else throw new UsageError(`unknown or empty argument "${arg}"\n${usage}`);
  }
  if (!args.into || args.projects.length === 0) throw new UsageError(`--projects and --into are required\n${usage}`);
  if (args.dryRun) {
    write(`[dry-run] would merge ${args.from.join(' + ')} into ${args.into} for ${args.projects.join(', ')}\n`);
    return 0;
  }
  for (const m of mergePlatformOutputs(cwd, args.projects, args.into, args.from))
    write(`${m.project}: ${m.platforms.join(', ')} → ${m.index} (${m.outputPath})\n`);
  return 0;
}

const RETENTION_USAGE = 'usage: lucid prune|usage [--projects=<pattern,...>] [--registry=<host>] [--dry-run] [--json]';

/** Every project's container-release target (executor @lucid/nx-lucid:release) with its options from the graph. */
async function releaseTargets(cwd: string, patterns: string[]): Promise<Array<{ project: string; options: object }>> {
  process.chdir(cwd); // Nx computes the graph for the workspace it is loaded from
  const { createProjectGraphAsync } = require('@nx/devkit') as typeof import('@nx/devkit');
  const graph = await createProjectGraphAsync({ exitOnError: false });
  const { findMatchingProjects } = require('nx/src/utils/find-matching-projects') as {
    findMatchingProjects(patterns: string[], nodes: Record<string, unknown>): string[];
  };
  const allowed = patterns.length ? new Set(findMatchingProjects(patterns, graph.nodes)) : undefined;
  const out: Array<{ project: string; options: object }> = [];
  for (const [project, node] of Object.entries(graph.nodes).sort(([a], [b]) => a.localeCompare(b))) {
    if (allowed && !allowed.has(project)) continue;
    const target = Object.values(node.data.targets ?? {}).find((t) => t.executor === '@lucid/nx-lucid:release');
    if (target) out.push({ project, options: target.options ?? {} });
  }
  return out;
}

/**
 * lucid prune | lucid usage: the retention policy or the usage report over every service (container-release prune
 * or usage per project, in one process: usage needs every repository to tell shared bytes from a service's own).
 */
export async function runRetention(command: 'prune' | 'usage', argv: string[], cwd: string): Promise<number> {
  const flags = { projects: [] as string[], dryRun: false, json: false, registry: undefined as string | undefined };
  for (const arg of argv) {
    const [key, value = ''] = arg.split(/=(.*)/s);
    if (key === '--projects' && value)
      flags.projects.push(
        ...value
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      );
    else if (key === '--registry' && value) flags.registry = value;
    else if (arg === '--dry-run') flags.dryRun = true;
    else if (arg === '--json') flags.json = true;
    else throw new UsageError(`unknown or empty argument "${arg}"\n${RETENTION_USAGE}`);
  }
  if (flags.registry === 'all')
    throw new UsageError(
      `--registry=all is not supported by lucid ${command}: name one registry host\n${RETENTION_USAGE}`,
    );
  const services: ServiceRelease[] = (await releaseTargets(cwd, flags.projects)).map(({ project, options }) => {
    const parsed = releaseSchema.safeParse({
      ...options,
      action: command,
      dryRun: flags.dryRun,
      json: flags.json,
      ...(flags.registry ? { registry: flags.registry } : {}),
    });
    if (!parsed.success)
      throw new UsageError(`${project}: invalid container-release options:\n${formatIssues(parsed.error)}`);
    return { project, options: parsed.data };
  });
  if (!services.length)
    throw new UsageError(
      `no project has a container-release target${flags.projects.length ? ` among ${flags.projects.join(',')}` : ''}`,
    );
  // With --json, stdout holds the JSON alone: the registry's retry notices go to stderr.
  const toStderr = (line: string) => void process.stderr.write(`${line}\n`);
  if (command === 'usage')
    await workspaceUsage(
      services,
      { json: flags.json, out: (l) => console.log(l) },
      flags.json ? { log: toStderr } : {},
    );
  else await workspacePrune(services, { workspaceRoot: cwd });
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'affected') return (await runAffected(rest, process.cwd())).exitCode;
    if (command === 'merge-platforms') return runMergePlatforms(rest, process.cwd());
    if (command === 'prune' || command === 'usage') return await runRetention(command, rest, process.cwd());
    process.stderr.write(`${command ? `unknown command "${command}"\n` : ''}${USAGE}\n${RETENTION_USAGE}\n`);
    return 1;
  } catch (e) {
    if (
      e instanceof UsageError ||
      e instanceof ProcessError ||
      ((command === 'merge-platforms' || command === 'prune' || command === 'usage') && e instanceof Error)
    ) {
      process.stderr.write(`lucid: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`lucid: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
