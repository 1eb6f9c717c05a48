import { tokensInEnv } from './env-tokens';
import { envUsernames, redactSecrets, registeredSecrets, secretForms } from './redaction';

/**
 * Runs an executor and turns any failure into `success: false` with one error line, redacted of
 * environment tokens and every secret resolved so far, as a last line of defence (registry and API error texts are not ours to trust).
 */
export async function runWithRedactedFailure(
  what: string,
  project: string | undefined,
  run: () => Promise<unknown>,
  log: (line: string) => void,
): Promise<{ success: boolean }> {
  try {
    await run();
    return { success: true };
  } catch (e) {
    const env = process.env;
    const secrets = [...tokensInEnv(env).flatMap((t) => secretForms(t, envUsernames(env))), ...registeredSecrets()];
    log(redactSecrets(failureLine(what, project, (e as Error).message), secrets));
    return { success: false };
  }
}

/** A failure at a place in a file (`path:line: …`) keeps that place first, as compilers print it; others get the executor and project first. */
export function failureLine(what: string, project: string | undefined, message: string): string {
  const where = `@lucid/nx-lucid:${what} (${project ?? 'unknown project'})`;
  if (!/^[^\s:]+:\d+: /.test(message)) return `${where}: ${message}`;
  const [first, ...rest] = message.split('\n');
  return [`${first} [${where}]`, ...rest].join('\n');
}
