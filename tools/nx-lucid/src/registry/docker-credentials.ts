/**
 * Registry credentials the way docker finds them, so `docker login`, docker/login-action and credential
 * helpers just work: a per-registry environment pair for CI, GHCR_TOKEN/GITHUB_TOKEN for ghcr.io only,
 * then DOCKER_CONFIG (or ~/.docker)/config.json: credHelpers[registry], else credsStore, else auths.
 * A helper runs as `docker-credential-<name> get` with the server URL on stdin; its secret never
 * reaches argv or a log.
 */
import { z } from 'zod';
import type { Credentials } from './auth';

/** Docker Hub: images are named docker.io, served by registry-1.docker.io, logged in as index.docker.io/v1/. */
export const DOCKER_HUB = {
  name: 'docker.io',
  endpoint: 'registry-1.docker.io',
  authKey: 'https://index.docker.io/v1/',
} as const;

/** The host requests go to for a registry name (docker.io → registry-1.docker.io). */
export function registryEndpoint(registry: string): string {
  return registry === DOCKER_HUB.name || registry === 'index.docker.io' ? DOCKER_HUB.endpoint : registry;
}

/** A repository on Docker Hub without a namespace is an official image: nginx → library/nginx. */
export function normalizeRepository(registry: string, repository: string): string {
  return registryEndpoint(registry) === DOCKER_HUB.endpoint && !repository.includes('/')
    ? `library/${repository}`
    : repository;
}

export const dockerConfigSchema = z
  .object({
    auths: z
      .record(
        z.string(),
        z
          .object({
            auth: z.string().optional(),
            username: z.string().optional(),
            password: z.string().optional(),
            identitytoken: z.string().optional(),
            registrytoken: z.string().optional(),
          })
          .passthrough(),
      )
      .optional(),
    credsStore: z.string().optional(),
    credHelpers: z.record(z.string(), z.string()).optional(),
  })
  .passthrough();
export type DockerConfig = z.infer<typeof dockerConfigSchema>;

/** Where docker keeps its config: $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json. */
export function dockerConfigPath(env: NodeJS.ProcessEnv): string | undefined {
  if (env.DOCKER_CONFIG) return `${env.DOCKER_CONFIG.replace(/\/+$/, '')}/config.json`;
  return env.HOME ? `${env.HOME.replace(/\/+$/, '')}/.docker/config.json` : undefined;
}

/** The keys a registry may be stored under in auths/credHelpers, as docker writes them. */
export function configKeys(registry: string): string[] {
  if (registryEndpoint(registry) === DOCKER_HUB.endpoint)
    return [DOCKER_HUB.authKey, 'index.docker.io', 'docker.io', DOCKER_HUB.endpoint];
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
}

/** LUCID_REGISTRY_<HOST>_USERNAME / _PASSWORD: host upper-cased, every non-alphanumeric as _ (ghcr.io → GHCR_IO). */
export function registryEnvPrefix(registry: string): string {
  return `LUCID_REGISTRY_${registry.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export type CredentialLookup =
  | { kind: 'inline'; credentials: Credentials }
  | { kind: 'helper'; helper: string; serverUrl: string; source: string }
  | { kind: 'none'; tried: string[] };

function decodeAuth(auth: string, where: string): { username: string; password: string } {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) throw new Error(`${where}: "auth" is not base64 of user:password`);
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Decides where a registry's credentials come from. Pure: reading the file and running helpers is the caller's. */
export function lookupCredentials(
  registry: string,
  env: NodeJS.ProcessEnv,
  config: DockerConfig | undefined,
  configPath = 'config.json',
): CredentialLookup {
  const tried: string[] = [];
  const prefix = registryEnvPrefix(registry);
  const user = env[`${prefix}_USERNAME`]?.trim();
  const pass = env[`${prefix}_PASSWORD`];
  tried.push(`${prefix}_USERNAME/_PASSWORD`);
  if (pass !== undefined && pass !== '')
    return {
      kind: 'inline',
      credentials: { username: user || 'token', password: pass.replace(/\r?\n$/, ''), source: `${prefix}_PASSWORD` },
    };
  if (registry === 'ghcr.io') {
    for (const name of ['GHCR_TOKEN', 'GITHUB_TOKEN'] as const) {
      tried.push(name);
      const value = env[name]?.trim();
      if (value)
        return {
          kind: 'inline',
          credentials: { username: env.GITHUB_ACTOR?.trim() || 'token', password: value, source: name },
        };
    }
  }
  if (!config) return { kind: 'none', tried: [...tried, `${configPath} (absent)`] };
  const keys = configKeys(registry);
  const helperKey = keys.find((k) => config.credHelpers?.[k]);
  if (helperKey)
    return {
      kind: 'helper',
      helper: config.credHelpers![helperKey],
      serverUrl: helperKey,
      source: `${configPath} credHelpers`,
    };
  if (config.credsStore)
    return { kind: 'helper', helper: config.credsStore, serverUrl: keys[0], source: `${configPath} credsStore` };
  for (const key of keys) {
    const entry = config.auths?.[key];
    if (!entry) continue;
    const where = `${configPath} auths["${key}"]`;
    if (entry.identitytoken)
      return { kind: 'inline', credentials: { username: '<token>', password: entry.identitytoken, source: where } };
    if (entry.auth) return { kind: 'inline', credentials: { ...decodeAuth(entry.auth, where), source: where } };
    if (entry.username && entry.password)
      return { kind: 'inline', credentials: { username: entry.username, password: entry.password, source: where } };
  }
  return { kind: 'none', tried: [...tried, `${configPath} (no entry for ${registry})`] };
}

const helperOutputSchema = z.object({ Username: z.string(), Secret: z.string() }).passthrough();

/** Parses `docker-credential-<helper> get` output; "not found" is no credentials, not an error. */
export function parseHelperOutput(
  helper: string,
  exitCode: number,
  stdout: string,
  stderr: string,
): { username: string; password: string } | undefined {
  const text = `${stdout}\n${stderr}`;
  if (exitCode !== 0) {
    if (/credentials not found/i.test(text)) return undefined;
    // Helpers print their reason on stderr or, like docker-credential-pass, on stdout.
    const reason = (stderr.trim() || stdout.trim()).split('\n').slice(0, 2).join(' / ').slice(0, 300);
    throw new Error(`docker-credential-${helper} get failed (exit ${exitCode}): ${reason || 'no message'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new Error(`docker-credential-${helper} get printed something that is not JSON`);
  }
  const parsed = helperOutputSchema.safeParse(json);
  if (!parsed.success) throw new Error(`docker-credential-${helper} get: expected {"Username","Secret"}`);
  if (!parsed.data.Secret) return undefined;
  return { username: parsed.data.Username, password: parsed.data.Secret };
}

export interface CredentialDeps {
  readFile: (path: string) => string | undefined;
  /** Runs a credential helper with the server URL on stdin, an explicit environment, and no secret in argv. */
  runHelper: (
    command: string,
    args: string[],
    input: string,
  ) => Promise<{ exitCode: number; stdout: string; stderr: string }>;
}

/** Reads and validates a docker config.json; a malformed file is an error naming it. */
export function parseDockerConfig(text: string, path: string): DockerConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const parsed = dockerConfigSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** Credentials for one registry, or undefined (anonymous). */
export async function resolveDockerCredentials(
  registry: string,
  env: NodeJS.ProcessEnv,
  deps: CredentialDeps,
): Promise<Credentials | undefined> {
  const path = dockerConfigPath(env);
  const text = path ? deps.readFile(path) : undefined;
  const config = text !== undefined && path ? parseDockerConfig(text, path) : undefined;
  const found = lookupCredentials(registry, env, config, path);
  if (found.kind === 'inline') return found.credentials;
  if (found.kind === 'none') return undefined;
  const command = `docker-credential-${found.helper}`;
  const r = await deps.runHelper(command, ['get'], found.serverUrl).catch((e: Error) => {
    throw new Error(`${command} (named by ${found.source}) could not run: ${e.message}`, { cause: e });
  });
  const creds = parseHelperOutput(found.helper, r.exitCode, r.stdout, r.stderr);
  return creds && { ...creds, source: `docker-credential-${found.helper} (${found.source})` };
}
