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
      return { engine, version: await probe(engine), reason: `engine: ${requested}` };
    } catch (e) {
      const hint = INSTALL_HINTS[requested === 'buildx' ? 'docker' : program];
      throw new Error(
        `engine ${requested} is not usable: ${(e as Error).message.split('\n')[0]}${hint && !(e as Error).message.includes(hint) ? ` (${hint})` : ''}`,
        { cause: e },
      );
    }
  }
  const tried: string[] = [];
  for (const name of ['buildx', 'buildah', 'podman'] as const) {
    const engine = ENGINES[name];
    if (!which(engine.versionCommand().command, env)) {
      tried.push(`${name}: ${engine.versionCommand().command} not on PATH`);
      continue;
    }
    try {
      return {
        engine,
        version: await probe(engine),
        reason: `engine: auto → ${name}${tried.length ? ` (${tried.join('; ')})` : ''}`,
      };
    } catch (e) {
      tried.push(`${name}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(
    `engine: auto found no usable build engine (${tried.join('; ')}). Install one: ${INSTALL_HINTS.buildah}, ${INSTALL_HINTS.podman}, or ${INSTALL_HINTS.docker}`,
  );
}
