/**
 * Real BuildKit for e2e specs: buildkitd from ../shared/tools/buildkit (installed under .lucid/buildkit by
 * scripts/ensure-deps.sh, or here if missing) on a free loopback port with its own state directory, the
 * dockerfile frontend pushed to the test registry (which buildkitd mirrors docker.io to), and a remote-driver
 * buildx builder, all under a temp DOCKER_CONFIG. Stopped by stop(), and killed if the test process exits first.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runProcess, which } from '../../src/boundary/process';
import { freePort, TestRegistry } from './registry';
import { WORKSPACE_ROOT } from './workspace';

export const BUILDKIT_SOURCE =
  process.env.LUCID_BUILDKIT_SOURCE ?? resolve(WORKSPACE_ROOT, '..', 'shared', 'tools', 'buildkit');
export const BUILDKIT_PREFIX = resolve(WORKSPACE_ROOT, '.lucid', 'buildkit');
const FRONTEND_ARCHIVE = 'dockerfile-frontend-1.18.0.oci.tar';

export interface TestBuildkit {
  /** tcp://127.0.0.1:PORT */
  address: string;
  /** PATH (BuildKit binaries first) and DOCKER_CONFIG (buildx plugin, the remote builder) for child processes. */
  env: { PATH: string; DOCKER_CONFIG: string };
  /** Stops buildkitd and starts it again on the same port with an empty state directory (a cold BuildKit). */
  restartFresh(): Promise<void>;
  stop(): Promise<void>;
}

async function installIfMissing(): Promise<void> {
  if (existsSync(join(BUILDKIT_PREFIX, 'bin', 'buildkitd'))) return;
  if (!existsSync(join(BUILDKIT_SOURCE, 'install.sh'))) {
    throw new Error(
      `BuildKit is not installed in ${BUILDKIT_PREFIX} and ${BUILDKIT_SOURCE}/install.sh is missing (scripts/ensure-deps.sh installs it)`,
    );
  }
  await runProcess('bash', [join(BUILDKIT_SOURCE, 'install.sh'), BUILDKIT_PREFIX], { timeoutMs: 300000 });
}

function buildkitdConfig(stateDir: string, port: number, registry: string): string {
  return [
    `root = "${stateDir}"`,
    '[grpc]',
    `  address = ["tcp://127.0.0.1:${port}"]`,
    '[worker.oci]',
    '  enabled = true',
    '  snapshotter = "overlayfs"',
    '[worker.containerd]',
    '  enabled = false',
    `[registry."${registry}"]`,
    '  http = true',
    '  insecure = true',
    // `# syntax=docker/dockerfile:1` resolves through this mirror: Docker Hub is not reachable here.
    '[registry."docker.io"]',
    `  mirrors = ["${registry}"]`,
    '',
  ].join('\n');
}

async function waitReady(
  address: string,
  env: NodeJS.ProcessEnv,
  child: ChildProcess,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + 60000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`buildkitd exited (${child.exitCode ?? child.signalCode}):\n${log()}`);
    const r = await runProcess('buildctl', ['--addr', address, 'debug', 'workers'], {
      env,
      allowFailure: true,
      timeoutMs: 10000,
    }).catch(() => null);
    if (r?.exitCode === 0 && /\S/.test(r.stdout)) return;
    if (Date.now() > deadline) throw new Error(`buildkitd on ${address} did not answer in 60 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function startBuildkit(registry: TestRegistry): Promise<TestBuildkit> {
  await installIfMissing();
  const work = mkdtempSync(join(tmpdir(), 'lucid-buildkit-'));
  const bin = join(BUILDKIT_PREFIX, 'bin');
  const dockerConfig = join(work, 'docker');
  mkdirSync(join(dockerConfig, 'cli-plugins'), { recursive: true });
  symlinkSync(join(bin, 'docker-buildx'), join(dockerConfig, 'cli-plugins', 'docker-buildx'));
  // buildah and skopeo read $DOCKER_CONFIG/config.json as their authfile and fail when it is missing.
  writeFileSync(join(dockerConfig, 'config.json'), '{}');
  const shimDir = join(work, 'bin');
  mkdirSync(shimDir);
  if (!which('docker')) {
    // No Docker CLI: buildx runs standalone with the same arguments (docker buildx build … → docker-buildx build …).
    writeFileSync(
      join(shimDir, 'docker'),
      `#!/bin/sh\n[ "$1" = buildx ] && shift\nexec "${join(bin, 'docker-buildx')}" "$@"\n`,
    );
    chmodSync(join(shimDir, 'docker'), 0o755);
  }
  const env = { PATH: `${bin}:${shimDir}:${process.env.PATH}`, DOCKER_CONFIG: dockerConfig };
  const childEnv = { ...process.env, ...env };

  // What install.sh does for its REGISTRY argument: the frontend image, under both tags the syntax line may name.
  for (const tag of ['1', '1.18.0']) {
    await runProcess(
      'skopeo',
      [
        'copy',
        '-q',
        '--dest-tls-verify=false',
        `oci-archive:${join(BUILDKIT_SOURCE, FRONTEND_ARCHIVE)}`,
        `docker://${registry.host}/docker/dockerfile:${tag}`,
      ],
      {
        env: childEnv,
        timeoutMs: 120000,
      },
    );
  }

  const port = await freePort();
  const address = `tcp://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let stateDir = '';
  let output = '';
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const start = async () => {
    stateDir = mkdtempSync(join(work, 'state-'));
    const config = join(work, `buildkitd-${port}.toml`);
    writeFileSync(config, buildkitdConfig(stateDir, port, registry.host));
    output = '';
    child = spawn(join(bin, 'buildkitd'), ['--config', config], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d) => (output = (output + d).slice(-8000)));
    child.stderr?.on('data', (d) => (output = (output + d).slice(-8000)));
    await waitReady(address, childEnv, child, () => output);
  };
  const halt = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((done) => {
      const force = setTimeout(() => c.kill('SIGKILL'), 15000);
      c.once('exit', () => {
        clearTimeout(force);
        done();
      });
      c.kill('SIGTERM');
    });
    try {
      rmSync(stateDir, { recursive: true, force: true });
    } catch {
      /* a mount buildkitd left behind goes with the work dir's cleanup, or the machine's tmp */
    }
  };

  try {
    await start();
    await runProcess('docker', ['buildx', 'create', '--name', 'lucid-e2e', '--driver', 'remote', '--use', address], {
      env: childEnv,
      timeoutMs: 60000,
    });
  } catch (e) {
    await halt();
    process.removeListener('exit', killOnExit);
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
  return {
    address,
    env,
    restartFresh: async () => {
      await halt();
      await start();
    },
    stop: async () => {
      await halt();
      process.removeListener('exit', killOnExit);
      rmSync(work, { recursive: true, force: true });
    },
  };
}
