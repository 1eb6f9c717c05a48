import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, processAlive, which } from '../nx-lucid/src/boundary/process';
import { RegistryClient } from '../nx-lucid/src/registry/client';

/**
 * The embedded default registry: Debian's docker-registry (CNCF distribution) on 127.0.0.1,
 * its data under <workspace>/.lucid/registry, kept between runs. Detached, so it outlives the
 * main job and the next run reuses it; a killed one is restarted on the same data.
 */
export const DEFAULT_LOCAL_REGISTRY_PORT = 5055;

export interface LocalRegistry {
  /** host:port, e.g. 127.0.0.1:5055 */
  host: string;
  url: string;
  pid: number;
  dataDir: string;
  /** How we got it: reused a healthy running one, or started one (and why). */
  state: 'reused' | 'started';
  note?: string;
}

export interface RegistryPaths {
  root: string;
  config: string;
  data: string;
  pidFile: string;
  logFile: string;
}

export function registryPaths(workspaceRoot: string): RegistryPaths {
  const root = join(workspaceRoot, '.lucid', 'registry');
  return {
    root,
    config: join(root, 'config.yml'),
    data: join(root, 'data'),
    pidFile: join(root, 'registry.pid'),
    logFile: join(root, 'registry.log'),
  };
}

export function localRegistryPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LUCID_LOCAL_REGISTRY_PORT?.trim();
  if (!raw) return DEFAULT_LOCAL_REGISTRY_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`LUCID_LOCAL_REGISTRY_PORT must be a TCP port (1-65535), got "${raw}"`);
  }
  return port;
}

export function registryConfigYaml(dataDir: string, port: number): string {
  return [
    '# Written by tools/main-job/registry.ts; rewritten on every start.',
    'version: 0.1',
    'log: { level: warn }',
    'storage:',
    `  filesystem: { rootdirectory: ${JSON.stringify(dataDir)} }`,
    // Releases delete tags/manifests by digest.
    '  delete: { enabled: true }',
    // Uploads interrupted by a crash are left for the client to resume or abandon; no background purge.
    '  maintenance: { uploadpurging: { enabled: false } }',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    // Stable across restarts (derived from the data folder): upload session URLs carry state signed with it,
    // so a push can resume an upload the registry kept through a crash. Loopback only; not a credential.
    `  secret: lucid-local-${createHash('sha256').update(dataDir).digest('hex').slice(0, 32)}`,
    '',
  ].join('\n');
}

async function healthy(host: string): Promise<boolean> {
  return (await new RegistryClient({ registry: host, timeoutMs: 2000 }).probe()) === 200;
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** A live docker-registry serving exactly our config file (pids get reused, so the pidfile alone is not proof). */
function isOurRegistry(pid: number, config: string): boolean {
  const args = cmdline(pid);
  return args.some((a) => a.endsWith('docker-registry')) && args.includes(config);
}

/** Finds our registry when the pidfile was lost (e.g. .lucid/registry/registry.pid deleted by hand). */
function findOurRegistry(config: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (isOurRegistry(Number(entry), config)) return Number(entry);
  }
  return undefined;
}

function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function terminate(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (!(await waitFor(() => !processAlive(pid), 5000))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await waitFor(() => !processAlive(pid), 2000);
  }
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Returns a healthy local registry: reuses ours if it answers /v2/, replaces a hung one,
 * clears a stale pidfile, refuses a port taken by something else.
 */
export async function ensureLocalRegistry(
  workspaceRoot: string,
  opts: { port?: number; log?: (line: string) => void } = {},
): Promise<LocalRegistry> {
  const log = opts.log ?? (() => undefined);
  const port = opts.port ?? localRegistryPort();
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  const paths = registryPaths(workspaceRoot);
  mkdirSync(paths.data, { recursive: true });

  let note: string | undefined;
  const recorded = readPid(paths.pidFile);
  const running =
    recorded && processAlive(recorded) && isOurRegistry(recorded, paths.config)
      ? recorded
      : findOurRegistry(paths.config);
  if (running) {
    const sameConfig =
      existsSync(paths.config) && readFileSync(paths.config, 'utf8') === registryConfigYaml(paths.data, port);
    if (sameConfig && (await waitFor(() => healthy(host), 3000))) {
      if (running !== recorded) writeFileSync(paths.pidFile, `${running}\n`);
      return { host, url, pid: running, dataDir: paths.data, state: 'reused' };
    }
    note = sameConfig
      ? `registry pid ${running} did not answer ${url}/v2/; restarted it`
      : `registry pid ${running} had another port; restarted it on ${port}`;
    await terminate(running);
  } else if (recorded) {
    note = `stale pidfile (pid ${recorded} is not running); restarted on the same data`;
  }
  rmSync(paths.pidFile, { force: true });

  if (await healthy(host)) {
    throw new Error(
      `Port ${port} on 127.0.0.1 is already used by another registry that is not the workspace one (${paths.config}). ` +
        `Stop it, or choose another port: LUCID_LOCAL_REGISTRY_PORT=5056 npm start`,
    );
  }
  if (!which('docker-registry')) {
    throw new Error(
      'docker-registry is not installed: apt-get install -y docker-registry (scripts/ensure-deps.sh does this as root)',
    );
  }

  writeFileSync(paths.config, registryConfigYaml(paths.data, port));
  const logFd = openSync(paths.logFile, 'a');
  const child = spawn('docker-registry', ['serve', paths.config], {
    detached: true,
    env: childEnv(),
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', () => undefined);
  child.unref();
  if (!child.pid) throw new Error(`docker-registry could not start; see ${paths.logFile}`);
  writeFileSync(paths.pidFile, `${child.pid}\n`);

  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  const ready = await waitFor(async () => exitCode !== undefined || (await healthy(host)), 15000);
  if (!ready || exitCode !== undefined) {
    rmSync(paths.pidFile, { force: true });
    if (exitCode === undefined) await terminate(child.pid);
    throw new Error(
      `docker-registry on ${host} ${exitCode !== undefined ? `exited (${exitCode})` : 'did not answer /v2/ within 15 s'}; log ${paths.logFile}:\n${tail(paths.logFile)}`,
    );
  }
  log(`registry: started docker-registry on ${host} (pid ${child.pid}, data ${paths.data})${note ? ` — ${note}` : ''}`);
  return { host, url, pid: child.pid, dataDir: paths.data, state: 'started', note };
}

/** Stops the workspace registry if it runs; its data stays. */
export async function stopLocalRegistry(workspaceRoot: string): Promise<number | undefined> {
  const paths = registryPaths(workspaceRoot);
  const recorded = readPid(paths.pidFile);
  const pid =
    recorded && processAlive(recorded) && isOurRegistry(recorded, paths.config)
      ? recorded
      : findOurRegistry(paths.config);
  if (pid) await terminate(pid);
  rmSync(paths.pidFile, { force: true });
  return pid;
}
