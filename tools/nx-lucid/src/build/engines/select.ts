import { INSTALL_HINTS, runProcess, which } from '../../boundary/process';
import { buildahEngine, podmanEngine } from './buildah';
import { buildxEngine } from './buildx';
import { Engine, EngineName } from './engine';

export const ENGINES: Record<EngineName, Engine> = {
  buildx: buildxEngine,
  buildah: buildahEngine,
  podman: podmanEngine,
};

export interface SelectedEngine {
  engine: Engine;
  version: string;
  /** Why this engine, for the log. */
  reason: string;
}

/** The exact command that gives buildx a builder able to write OCI layouts and attestations. */
export const BUILDX_FIX = 'docker buildx create --driver docker-container --use';

/**
 * The current buildx builder's driver (`docker buildx inspect`: "Driver: docker"), or undefined when it cannot be
 * read. The `docker` driver (a stock Docker Engine's default builder) exports neither OCI layouts nor attestations.
 */
export async function currentBuildxDriver(): Promise<string | undefined> {
  const r = await runProcess('docker', ['buildx', 'inspect'], { timeoutMs: 15000, allowFailure: true });
  return r.exitCode === 0 ? /^Driver:\s*(\S+)/m.exec(r.stdout)?.[1] : undefined;
}

const DOCKER_DRIVER =
  "buildx's current builder uses the docker driver, which cannot export an OCI layout or attestations";

/** Runs the engine's version command; a missing program becomes ProcessError with the install hint. */
async function probe(engine: Engine): Promise<string> {
  const cmd = engine.versionCommand();
  const result = await runProcess(cmd.command, cmd.args, { timeoutMs: 15000 });
  return engine.parseVersion(result.stdout || result.stderr);
}

/**
 * `auto`: buildx when `docker buildx version` works, else buildah, else podman. A named engine that is not
 * installed fails here, before anything is built.
 */
export async function selectEngine(
  requested: 'auto' | EngineName,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SelectedEngine> {
  if (requested !== 'auto') {
    const engine = ENGINES[requested];
    const program = engine.versionCommand().command;
    if (!which(program, env)) {
      const hint = INSTALL_HINTS[requested === 'buildx' ? 'docker' : program];
      throw new Error(`engine ${requested} is not usable: ${program} is not installed${hint ? `: ${hint}` : ''}`);
    }
    try {
      const version = await probe(engine);
      if (requested === 'buildx' && (await currentBuildxDriver()) === 'docker')
        throw new Error(`${DOCKER_DRIVER}: run \`${BUILDX_FIX}\` (or use a remote builder), or set engine buildah`);
      return { engine, version, reason: `engine: ${requested}` };
    } catch (e) {
      const hint = INSTALL_HINTS[requested === 'buildx' ? 'docker' : program];
      throw new Error(
        `engine ${requested} is not usable: ${(e as Error).message.split('\n')[0]}${hint && !(e as Error).message.includes(hint) ? ` (${hint})` : ''}`,
        { cause: e },
      );
    }
  }
  return selectAuto(env);
}

/**
 * `auto`: buildx when `docker buildx version` works and its current builder is not the docker driver, else buildah,
 * else podman; each passed-over engine is named with why. Only the docker driver in the way: the error gives the fix.
 */
async function selectAuto(env: NodeJS.ProcessEnv): Promise<SelectedEngine> {
  const tried: string[] = [];
  let dockerDriver = false;
  for (const name of ['buildx', 'buildah', 'podman'] as const) {
    const engine = ENGINES[name];
    if (!which(engine.versionCommand().command, env)) {
      tried.push(`${name}: ${engine.versionCommand().command} not on PATH`);
      continue;
    }
    try {
      const version = await probe(engine);
      if (name === 'buildx' && (await currentBuildxDriver()) === 'docker') {
        dockerDriver = true;
        tried.push(`buildx: ${DOCKER_DRIVER} (\`${BUILDX_FIX}\` makes one that can)`);
        continue;
      }
      return { engine, version, reason: `engine: auto → ${name}${tried.length ? ` (${tried.join('; ')})` : ''}` };
    } catch (e) {
      tried.push(`${name}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (dockerDriver)
    throw new Error(
      `engine: auto: ${DOCKER_DRIVER}, and neither buildah nor podman is usable (${tried.slice(1).join('; ')}). Fix: ${BUILDX_FIX} (or a remote builder), or ${INSTALL_HINTS.buildah}`,
    );
  throw new Error(
    `engine: auto found no usable build engine (${tried.join('; ')}). Install one: ${INSTALL_HINTS.buildah}, ${INSTALL_HINTS.podman}, or ${INSTALL_HINTS.docker}`,
  );
}
