/**
 * The third-party Nx remote-cache server (mavarazo/nx-cache, ../shared/tools/nx-cache-server): Nx's self-hosted
 * cache API with Bearer read and write tokens and filesystem storage, written by nobody on this project. Built once
 * per machine into .lucid/nx-cache-server/<source hash> (npm ci + tsc from the npm registry), started per suite on a
 * free loopback port with its own cache folder. What the tests read back: the entries it stored (its files) and the
 * cache hits it served (its request log: `GET /v1/cache/<hash> 200`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { NX_CACHE_SERVER_SOURCE } from './external-requirements';
import { WORKSPACE_ROOT } from './workspace';

export interface NxCacheServer {
  url: string;
  /** Entries as the server stored them (file name = Nx's task hash). */
  entries(): Map<string, Buffer>;
  /** GETs it answered 200 (a remote-cache hit), from its request log. */
  hits(): number;
  stop(): Promise<void>;
}

function built(): string {
  const lock = readFileSync(join(NX_CACHE_SERVER_SOURCE, 'package-lock.json'));
  const dir = join(
    WORKSPACE_ROOT,
    '.lucid/nx-cache-server',
    createHash('sha256').update(lock).digest('hex').slice(0, 12),
  );
  if (existsSync(join(dir, 'dist/server.js'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  cpSync(NX_CACHE_SERVER_SOURCE, dir, { recursive: true });
  for (const [cmd, args] of [
    ['npm', ['ci', '--no-audit', '--no-fund']],
    ['npx', ['tsc']],
  ] as const) {
    const r = spawnSync(cmd, [...args], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`nx-cache-server: ${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  }
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startNxCacheServer(tokens: { write: string; read: string }): Promise<NxCacheServer> {
  const dir = built();
  const cacheDir = mkdtempSync(join(tmpdir(), 'lucid-nx-cache-'));
  const port = await freePort();
  let log = '';
  const child = spawn(process.execPath, [join(dir, 'dist/server.js')], {
    cwd: dir,
    // Its own environment only: the tokens it checks, where it stores, where it listens.
    env: {
      PATH: process.env.PATH ?? '',
      API_KEY_WRITE_TOKEN: tokens.write,
      API_KEY_READ_TOKEN: tokens.read,
      CACHE_DIR: cacheDir,
      PORT: String(port),
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (log += String(d)));
  child.stderr.on('data', (d) => (log += String(d)));
  for (let i = 0; !log.includes('Server running'); i++) {
    if (child.exitCode !== null || i > 600) throw new Error(`nx-cache-server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    entries: () => new Map(readdirSync(cacheDir).map((f) => [f, readFileSync(join(cacheDir, f))])),
    hits: () => [...log.replace(/\x1b\[[0-9;]*m/g, '').matchAll(/GET \/v1\/cache\/\S+ 200\b/g)].length,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill();
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
