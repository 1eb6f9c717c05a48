/**
 * Flags beat the environment: `--registry` (or `--registries`, `--allRegistries`) given on the command line for a
 * command that writes or deletes (container-push, container-release, nx-release-publish) wins over LUCID_REGISTRY /
 * LUCID_REGISTRIES, with a line saying so. Options from project.json or the plugin are not flags: the environment
 * still overrides those (the main job points every service at its local registry that way).
 */
import type { ExecutorContext } from '@nx/devkit';

const REGISTRY_FLAGS = ['registry', 'registries', 'allRegistries'] as const;
const REGISTRY_ENV = ['LUCID_REGISTRY', 'LUCID_REGISTRIES'] as const;

/** The options given on the command line for this task: Nx's task overrides (not project.json, not inferred). */
export function commandLineOptions(context: ExecutorContext): Record<string, unknown> {
  const tasks = Object.values(context.taskGraph?.tasks ?? {});
  const task = tasks.find((t) => t.target.project === context.projectName && t.target.target === context.targetName);
  return (task?.overrides ?? {}) as Record<string, unknown>;
}

/** The environment the command runs with: without LUCID_REGISTRY(IES) when a registry flag was given. */
export function flagsBeatEnvironment(
  context: ExecutorContext,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): NodeJS.ProcessEnv {
  const flags = commandLineOptions(context);
  const flag = REGISTRY_FLAGS.find((k) => flags[k] !== undefined);
  const set = REGISTRY_ENV.filter((name) => env[name] !== undefined);
  if (!flag || !set.length) return env;
  const given = flags[flag] === true ? `--${flag}` : `--${flag}=${String(flags[flag])}`;
  log(`${given} given: ${set.map((n) => `${n}=${env[n]}`).join(', ')} ignored (a flag beats the environment)`);
  return { ...env, LUCID_REGISTRY: undefined, LUCID_REGISTRIES: undefined };
}
