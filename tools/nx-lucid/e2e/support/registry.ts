import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1 (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface TestRegistry {
  /** host:port, e.g. 127.0.0.1:41234 */
  host: string;
  url: string;
  dataDir: string;
  /** Stops the registry process (SIGKILL, as a crash would). Data stays for restart(). */
  kill(): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Stops it and removes its data. */
  stop(): Promise<void>;
}

async function waitReady(url: string, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`${url}/v2/`);
      if (r.status === 200 || r.status === 401) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`registry at ${url} did not become ready in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An htpasswd file with one bcrypt entry (distribution accepts bcrypt only; cost 4, since it checks on every request); python3 makes it. */
function writeHtpasswd(dir: string, user: { username: string; password: string }): string {
  const hash = execFileSync(
    'python3',
    [
      '-W',
      'ignore',
      '-c',
      'import crypt,sys; print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))',
    ],
    {
      input: user.password,
      encoding: 'utf8',
    },
  ).trim();
  if (!hash.startsWith('$2')) throw new Error(`could not make a bcrypt hash for htpasswd: ${hash}`);
  const file = join(dir, 'htpasswd');
  writeFileSync(file, `${user.username}:${hash}\n`);
  return file;
}

/**
 * Starts Debian's docker-registry (CNCF distribution) on 127.0.0.1 and a free port, with delete enabled,
 * its storage in a temp folder. Tests talk to a real registry, never a stand-in.
 */
export async function startRegistry(
  opts: { dataDir?: string; port?: number; htpasswd?: { username: string; password: string } } = {},
): Promise<TestRegistry> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'lucid-registry-'));
  const config = join(dataDir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: { level: error }',
      'storage:',
      `  filesystem: { rootdirectory: ${join(dataDir, 'data')} }`,
      '  delete: { enabled: true }',
      '  maintenance: { uploadpurging: { enabled: false } }',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      // Fixed for this registry's life: upload session URLs (their signed _state) stay valid across a restart.
      `  secret: lucid-test-${port}-${Date.now()}`,
      ...(opts.htpasswd
        ? ['auth:', '  htpasswd:', '    realm: lucid-test', `    path: ${writeHtpasswd(dataDir, opts.htpasswd)}`]
        : []),
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const failed = new Promise<never>((_, reject) => {
      child!.once('error', (e) =>
        reject(new Error(`docker-registry could not start (apt-get install docker-registry): ${e.message}`)),
      );
      child!.once('exit', (code) => reject(new Error(`docker-registry exited with ${code}: ${stderr}`)));
    });
    await Promise.race([waitReady(url), failed]);
    failed.catch(() => undefined);
  };
  const kill = async () => {
    // A SIGKILLed child has exitCode null and signalCode set: both mean it is gone already.
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const c = child;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await start();
  return {
    host: `127.0.0.1:${port}`,
    url,
    dataDir,
    kill,
    restart: start,
    stop: async () => {
      await kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
