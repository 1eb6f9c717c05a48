/**
 * Shared by push and release: where the image lives (plugin options + LUCID_* overrides), the
 * credentials (credentials.ts: stdin, env, docker config), and a client that has checked up front whether
 * the registry wants them. docker.io is reached at registry-1.docker.io, its one-segment names as library/<name>.
 */
import { requireRepository } from '../config/repository';
import { credentialForms, redactSecrets } from '../boundary/redaction';
import { imageName, repositoryPath } from '../image/naming';
import { registryList } from '../config/options';
import { resolveConfig } from '../config/resolve';
import { Credentials } from './auth';
import { RegistryAuthError, RegistryClient, RegistryClientOptions } from './client';
import { authHint, credentialsFor } from './credentials';
import { normalizeRepository, registryEndpoint } from './docker-credentials';

/** What the push and release executors take from outside, so tests can pass their own. */
export interface RegistryDeps {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  stdin?: () => Promise<string>;
  client?: Partial<RegistryClientOptions>;
}

export interface ImageTarget {
  registry: string;
  /** Path inside the registry, e.g. hamigames/lucid/auth-service. */
  repository: string;
  /** registry/repository. */
  image: string;
  insecureRegistries: string[];
}

export function resolveImageTarget(
  options: { registry?: string; repository?: string; insecureRegistries?: string[] },
  project: string,
  env: NodeJS.ProcessEnv,
): ImageTarget {
  const { registry, repository, insecureRegistries } = options;
  const plugin = resolveConfig({ registry, repository, insecureRegistries }, env);
  const named = requireRepository(plugin.repository, project);
  const image = imageName(plugin.registry, named, project);
  return {
    registry: plugin.registry,
    repository: normalizeRepository(plugin.registry, repositoryPath(named, project)),
    image,
    insecureRegistries: plugin.insecureRegistries,
  };
}

/** One target per registry of `registries` (else just `registry`), the first being resolveImageTarget's. */
export function resolveImageTargets(
  options: { registry?: string; registries?: string[]; repository?: string; insecureRegistries?: string[] },
  project: string,
  env: NodeJS.ProcessEnv,
): ImageTarget[] {
  const { registry, registries, repository, insecureRegistries } = options;
  const plugin = resolveConfig({ registry, registries, repository, insecureRegistries }, env);
  return registryList(plugin).map((r) => resolveImageTarget({ ...plugin, registry: r }, project, {}));
}

export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A client for the target registry, after a GET /v2/: a registry that answers 401 while we hold no
 * credentials is reported now, naming the variables to set, before anything else happens.
 */
export async function connect(
  target: ImageTarget,
  credentials: Credentials | undefined,
  extra: Partial<RegistryClientOptions> = {},
): Promise<RegistryClient> {
  const client = new RegistryClient({
    registry: registryEndpoint(target.registry),
    insecureRegistries: target.insecureRegistries,
    credentials,
    ...extra,
  });
  const { status } = await client.ping();
  if (status === 401 && !credentials) {
    throw new RegistryAuthError(
      `${target.registry} requires authentication to reach ${target.image}: ${authHint(target.registry)}`,
      401,
    );
  }
  if (status !== 200 && status !== 401) {
    throw new RegistryAuthError(
      `${target.registry} does not look like an OCI registry: GET /v2/ answered HTTP ${status}`,
      status,
    );
  }
  return client;
}

export interface RegistrySession {
  client: RegistryClient;
  credentials: Credentials | undefined;
  /** Logs a line with the credential's password redacted. */
  say: (line: string) => void;
}

/** Credentials (credentials.ts), a redacting logger, and a connected client that reports its retries through it. */
export async function openSession(
  target: ImageTarget,
  options: { passwordStdin?: boolean; username?: string; retries: number },
  env: NodeJS.ProcessEnv,
  deps: RegistryDeps,
  log: (line: string) => void,
): Promise<RegistrySession> {
  const credentials = await credentialsFor(target.registry, options, env, deps.stdin ?? (() => readStdin()));
  // Until the client exists, the credential's own forms; then the client's (which adds bearer tokens it was given).
  let redactLine = (line: string) => redactSecrets(line, credentialForms(credentials));
  const say = (line: string) => log(redactLine(line));
  const client = await connect(target, credentials, {
    onRetry: (e) => say(`  ↻ ${e.operation}: ${e.reason}; retry ${e.attempt} in ${e.delayMs} ms`),
    ...deps.client,
    retry: { ...deps.client?.retry, retries: options.retries },
  });
  redactLine = (line) => client.redact(line);
  return { client, credentials, say };
}
