/**
 * Which credentials a registry is sent, in this order (the first that yields any wins):
 *   1. --password-stdin (username: --username, else GITHUB_ACTOR, else "token");
 *   2. LUCID_REGISTRY_<HOST>_USERNAME / _PASSWORD (CI; see registryEnvPrefix for the host form);
 *   3. GHCR_TOKEN, then GITHUB_TOKEN: for ghcr.io only, never sent to another registry;
 *   4. DOCKER_CONFIG (else ~/.docker)/config.json: credHelpers[registry], else credsStore, else auths.
 * Every secret resolved is registered for redaction (raw and Basic forms).
 */
import { readFileSync } from 'node:fs';
import { runProcess } from '../boundary/process';
import { credentialForms, registerSecrets } from '../boundary/redaction';
import { Credentials, stdinCredentials, TOKEN_ENV_VARS } from './auth';
import { CredentialDeps, DOCKER_HUB, registryEnvPrefix, resolveDockerCredentials } from './docker-credentials';

/** What a credential helper may need (keyrings, pass/gpg, D-Bus); nothing else of ours, no registry tokens. */
const HELPER_ENV_VARS = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'TMPDIR',
  'DOCKER_CONFIG',
  'XDG_RUNTIME_DIR',
  'XDG_CONFIG_HOME',
  'DBUS_SESSION_BUS_ADDRESS',
  'DISPLAY',
  'GNUPGHOME',
  'GPG_AGENT_INFO',
  'PASSWORD_STORE_DIR',
] as const;

/** The explicit environment a `docker-credential-<helper>` child gets. */
export function helperEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const name of HELPER_ENV_VARS) if (env[name] !== undefined) out[name] = env[name];
  return out;
}

/** Reads config.json from disk and runs helpers through the process boundary (server URL on stdin). */
export function defaultCredentialDeps(env: NodeJS.ProcessEnv): CredentialDeps {
  return {
    readFile: (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new Error(`${path}: cannot be read (${(e as Error).message})`, { cause: e });
      }
    },
    runHelper: (command, args, input) =>
      runProcess(command, args, { input, env: helperEnv(env), allowFailure: true, timeoutMs: 60_000 }),
  };
}

/** Credentials for one registry (its name as images are named, e.g. docker.io), or undefined (anonymous). */
export async function credentialsFor(
  registry: string,
  options: { passwordStdin?: boolean; username?: string },
  env: NodeJS.ProcessEnv,
  stdin: () => Promise<string>,
  deps: CredentialDeps = defaultCredentialDeps(env),
): Promise<Credentials | undefined> {
  const credentials = options.passwordStdin
    ? stdinCredentials(await stdin(), options.username || env.GITHUB_ACTOR?.trim() || 'token')
    : await resolveDockerCredentials(registry, env, deps);
  registerSecrets(credentialForms(credentials));
  return credentials;
}

/** How to give a registry credentials, for "requires authentication" errors. */
export function authHint(registry: string): string {
  const name = registry === DOCKER_HUB.endpoint ? DOCKER_HUB.name : registry;
  const prefix = registryEnvPrefix(name);
  const ghcr = name === 'ghcr.io' ? `${TOKEN_ENV_VARS.join(' or ')} (a token with write:packages), ` : '';
  return `set ${ghcr}${prefix}_USERNAME and ${prefix}_PASSWORD, log in with docker login (DOCKER_CONFIG or ~/.docker/config.json: auths, credsStore, credHelpers), or pipe a token with --password-stdin`;
}
