/**
 * Runs a build's engine commands: one retry on fresh storage after a transient storage error, the engine's whole
 * output kept in <outputPath>/engine.log on failure, and the failure's first line as `<dockerfile>:<line>:
 * <instruction>: <reason>` (the command line only with --verbose).
 */
import { readFileSync } from 'node:fs';
import { freshDir, removePath, writeFilePlain } from '../boundary/files';
import { join } from 'node:path';
import {
  childEnv,
  credentialVarsFor,
  formatCommand,
  ProcessError,
  redact,
  runProcess,
  RunResult,
} from '../boundary/process';
import type { EngineCommand } from './engines/engine';
import type { BuildRequest, PreparedBuild } from './build-request';
import { failureLine } from './failure';
import { secretValues } from './secrets';
import { transientStorageError } from './transient';
import { BaseSeed, plantSeeds } from './base-seed';

/** Where a failed build leaves the engine's full output, in the output folder. */
export const ENGINE_LOG = 'engine.log';

/**
 * Empties the build's scratch folder and writes the files the commands read (the private registries.conf); a
 * daemonless engine's staging layout starts with the base's uncompressed layers (build/base-seed.ts).
 */
export function freshScratch(prepared: PreparedBuild, seeds: readonly BaseSeed[] = []): void {
  freshDir(join(prepared.plan.stagingDir, '..'));
  freshDir(prepared.plan.stagingDir);
  for (const f of prepared.files) writeFilePlain(f.path, f.content);
  if (prepared.engine.name !== 'buildx')
    for (const o of prepared.engine.outputs(prepared.plan)) plantSeeds(o.layoutDir, seeds);
}

/** The same build on a private store in the scratch folder: a transient error's retry starts from nothing. */
export function onPrivateStorage(prepared: PreparedBuild): PreparedBuild {
  if (prepared.engine.name === 'buildx') return prepared;
  const plan = { ...prepared.plan, storageDir: join(prepared.plan.stagingDir, '..', 'storage') };
  return { ...prepared, plan, commands: prepared.engine.buildCommands(plan) };
}

interface Transcript {
  sections: string[];
}

/** One command's part of engine.log; secret values are redacted as in the streamed output. */
const section = (cmd: EngineCommand, out: { stdout: string; stderr: string }, status: string, secrets: string[]) =>
  redact(
    [`$ ${formatCommand(cmd.command, cmd.args)}`, `# ${status}`, '## stdout', out.stdout, '## stderr', out.stderr].join(
      '\n',
    ),
    secrets,
  );

async function runAll(req: BuildRequest, prepared: PreparedBuild, transcript: Transcript): Promise<void> {
  const run = req.deps?.run ?? runProcess;
  const now = req.deps?.now ?? Date.now;
  const secrets = secretValues(prepared.plan.secrets, req.workspaceRoot, req.env);
  for (const cmd of prepared.commands) {
    const started = now();
    req.log(`${cmd.label} …`);
    // Our environment minus credentials (but the build secrets it names), as runProcess gives one by default.
    const env = cmd.env ? { ...childEnv(credentialVarsFor(cmd.command, cmd.args), req.env), ...cmd.env } : undefined;
    try {
      const r: RunResult = await run(cmd.command, cmd.args, {
        cwd: req.workspaceRoot,
        stream: true,
        ...(env ? { env } : {}),
        ...(secrets.length ? { secrets } : {}),
      });
      transcript.sections.push(section(cmd, r ?? { stdout: '', stderr: '' }, 'exit 0', secrets));
    } catch (e) {
      const p = e instanceof ProcessError ? e : undefined;
      transcript.sections.push(
        section(cmd, p ?? { stdout: '', stderr: String(e) }, `failed: ${p?.exitCode ?? e}`, secrets),
      );
      throw Object.assign(e as Error, { command: cmd });
    }
    req.log(`${cmd.label} done in ${((now() - started) / 1000).toFixed(1)}s`);
  }
}

/** The error a failed engine command becomes: the Dockerfile line first, then the engine's hint, the log's path. */
function engineFailure(req: BuildRequest, prepared: PreparedBuild, e: unknown, logPath: string): Error {
  const cmd = (e as { command?: EngineCommand }).command;
  if (!(e instanceof ProcessError) || !cmd || e.exitCode === null) return e as Error;
  const output = `${e.stdout}\n${e.stderr}`;
  const hint = prepared.engine.failureHint?.(e.stderr);
  const site = prepared.engine.failureSite?.(output);
  let first: string | undefined;
  if (site) {
    try {
      const content = readFileSync(join(req.workspaceRoot, prepared.plan.dockerfile), 'utf8');
      first = failureLine(site, content, prepared.plan.dockerfile);
    } catch {
      /* the Dockerfile went away: the engine's own words below */
    }
  }
  const lastLine = e.stderr.trim().split('\n').pop()?.trim();
  const failed = `${cmd.label} failed${hint ? `: ${hint}` : ` (exit ${e.exitCode})${lastLine ? `: ${lastLine}` : ''}`}`;
  const lines = [
    ...(first ? [first] : []),
    failed,
    `the engine's full log: ${logPath}`,
    ...(req.verbose ? [`command: ${formatCommand(cmd.command, cmd.args)}`] : []),
  ];
  return new Error(redact(lines.join('\n'), secretValues(prepared.plan.secrets, req.workspaceRoot, req.env)), {
    cause: e,
  });
}

/** Runs the prepared commands; on failure writes <out>/engine.log and throws the located error. */
export async function runEngine(
  req: BuildRequest,
  prepared: PreparedBuild,
  out: string,
  seeds: readonly BaseSeed[] = [],
): Promise<void> {
  const logPath = join(out, ENGINE_LOG);
  removePath(logPath);
  const transcript: Transcript = { sections: [] };
  for (let attempt = 1; ; attempt++) {
    try {
      await runAll(req, prepared, transcript);
      return;
    } catch (e) {
      const reason = transientStorageError(e);
      if (!reason || attempt > 1) {
        writeFilePlain(logPath, `${transcript.sections.join('\n\n')}\n`);
        throw engineFailure(req, prepared, e, logPath);
      }
      // Fresh private storage: a half-built manifest list must not collect a second copy of a platform, and a
      // store that lost a mount point is not trusted again for this build.
      req.log(`transient builder storage error, retrying the build once on fresh storage: ${reason}`);
      prepared = onPrivateStorage(prepared);
      freshScratch(prepared, seeds);
    }
  }
}
