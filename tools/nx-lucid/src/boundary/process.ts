import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Debian packages that provide the external tools we run, for install hints. */
export const INSTALL_HINTS: Record<string, string> = {
  buildah: 'apt-get install -y buildah',
  podman: 'apt-get install -y podman',
  skopeo: 'apt-get install -y skopeo',
  docker: 'install Docker Engine with the buildx plugin (https://docs.docker.com/engine/install/)',
  trivy:
    'install Trivy (https://trivy.dev/latest/getting-started/installation/), e.g. the aquasecurity/trivy apt repository or setup-trivy in CI',
  'docker-registry': 'apt-get install -y docker-registry',
  git: 'apt-get install -y git',
};

export class ProcessError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'ProcessError';
  }
}

export interface RunOptions {
  cwd?: string;
  /** The child's whole environment; without it, ours minus every credential (childEnv). */
  env?: NodeJS.ProcessEnv;
  /** Credential variables (by name) this child needs from our environment when `env` is not given. */
  credentialVars?: readonly string[];
  /** Written to stdin, then closed (secrets go here, never in argv). */
  input?: string | Buffer;
  /** Stream the child's output to ours as it runs (long builds). */
  stream?: boolean;
  /** Values that must never appear in errors or streamed output. */
  secrets?: string[];
  timeoutMs?: number;
  /** Do not throw on a non-zero exit. */
  allowFailure?: boolean;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Names of variables that hold a credential (registry passwords, CI and API tokens, cloud keys, docker auth).
 * A child gets none of them unless its caller names it: a tool we start may be compromised (Trivy's channels were
 * in March 2026), and a credential it never held cannot leak.
 */
const CREDENTIAL_VAR =
  /PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|CREDENTIAL|_KEY$|^LUCID_REGISTRY_.+_USERNAME$|^DOCKER_AUTH_CONFIG$/i;

export function isCredentialVar(name: string): boolean {
  return CREDENTIAL_VAR.test(name);
}

/** `parent` without its credential variables, but for the ones named in `keep`. */
export function childEnv(keep: readonly string[] = [], parent: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(parent))
    if (value !== undefined && (!isCredentialVar(name) || keep.includes(name))) out[name] = value;
  return out;
}

/**
 * The credential variables a program needs by what it is asked to do: a build secret read from the environment
 * (`--secret id=…,env=NAME`, BuildKit's and buildah's syntax) needs NAME; buildx's `type=gha` cache reads the Actions
 * runtime token (buildx util/buildflags/cache.go). Nothing else we start reads one from the environment (git, skopeo,
 * buildah and podman read files; credential helpers and Trivy are given explicit environments).
 */
export function credentialVarsFor(command: string, args: readonly string[]): string[] {
  const names: string[] = [];
  for (const [i, arg] of args.entries()) {
    const secret = arg.startsWith('--secret=') ? arg.slice('--secret='.length) : args[i - 1] === '--secret' ? arg : '';
    const env = /(?:^|,)env=([^,]+)/.exec(secret)?.[1];
    if (env) names.push(env);
  }
  if (command === 'docker' && args[0] === 'buildx' && args.some((a) => /(^|,)type=gha(,|$)/.test(a)))
    names.push('ACTIONS_RUNTIME_TOKEN');
  return names;
}

export function redact(text: string, secrets: string[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** Quotes an argument list for display (dry-run output, logs); it is never executed by a shell. */
export function formatCommand(command: string, args: readonly string[]): string {
  const q = (a: string) => (/^[A-Za-z0-9_./:=@,+%-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [command, ...args].map(q).join(' ');
}

/** Runs a program with an argument array (never a shell string). */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const secrets = options.secrets ?? [];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? childEnv([...(options.credentialVars ?? []), ...credentialVarsFor(command, args)]),
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => {
      out.push(d);
      if (options.stream) process.stdout.write(redact(d.toString(), secrets));
    });
    child.stderr.on('data', (d: Buffer) => {
      err.push(d);
      if (options.stream) process.stderr.write(redact(d.toString(), secrets));
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') {
        const hint = INSTALL_HINTS[command];
        reject(new ProcessError(`${command} is not installed${hint ? `: ${hint}` : ''}`, null, '', ''));
      } else reject(new ProcessError(`${command} could not start: ${redact(e.message, secrets)}`, null, '', ''));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      const exitCode = code ?? -1;
      if (exitCode !== 0 && !options.allowFailure) {
        const tail = redact(stderr.trim() || stdout.trim(), secrets)
          .split('\n')
          .slice(-15)
          .join('\n');
        reject(
          new ProcessError(
            `${redact(formatCommand(command, args), secrets)} failed (${signal ? `signal ${signal}` : `exit ${exitCode}`})${tail ? `:\n${tail}` : ''}`,
            exitCode,
            stdout,
            stderr,
          ),
        );
        return;
      }
      resolve({ exitCode, stdout, stderr });
    });
  });
}

/** Whether an executable is on PATH (no process started). */
export function which(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const p = join(dir, command);
    try {
      if (existsSync(p) && statSync(p).isFile() && (statSync(p).mode & 0o111) !== 0) return p;
    } catch {
      /* unreadable PATH entry */
    }
  }
  return undefined;
}

/** Whether a process with this pid exists (EPERM: it does, under another user). Sends no signal. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A runner that starts each distinct command (with its args and cwd) once and shares the result: for read-only
 * queries that every task of one batch asks (git rev-parse), where a spawn from a large process costs more than
 * the answer. Use it for one batch only: the answers are not refreshed.
 */
export function runOnceEach(run: typeof runProcess = runProcess): typeof runProcess {
  const started = new Map<string, Promise<RunResult>>();
  return (command, args, options = {}) => {
    // Input, an environment or streamed output make a run more than a query: those always run.
    if (options.input !== undefined || options.env || options.stream) return run(command, args, options);
    const key = JSON.stringify([command, args, options.cwd ?? '']);
    let result = started.get(key);
    if (!result) started.set(key, (result = run(command, args, options)));
    return result;
  };
}
