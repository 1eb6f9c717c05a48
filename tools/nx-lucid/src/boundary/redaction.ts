/**
 * Every form a registry secret travels in: the raw token, the base64 `user:token` of a Basic header, and
 * bearer tokens the token endpoint hands out. Text that may echo a header (registry error bodies) also has
 * any Authorization value cut, whatever we know of the secret. Pure, but for the process-wide list of
 * secrets resolved so far (registerSecrets), which the last line of defence redacts too.
 */
import { redact } from './process';
/** A username and secret, as the registry client holds them (structural: the boundary knows no registry). */
type Credentials = { username: string; password: string };

const AUTH_VALUE = /\b(Basic|Bearer)(\s+|%20|\+)[A-Za-z0-9+/=._~%-]{4,}/gi;

/** Cuts `Basic <b64>` / `Bearer <token>` values, as a registry echoing our header would print them. */
export function redactAuthorization(text: string): string {
  return text.replace(AUTH_VALUE, (_m, scheme: string) => `${scheme} ***`);
}

export function basicAuthValue(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64');
}

/** The strings that stand for a secret: itself and the Basic form for each username it may travel with. */
export function secretForms(secret: string, usernames: readonly string[] = []): string[] {
  if (!secret) return [];
  return [secret, ...usernames.map((u) => basicAuthValue(u, secret))];
}

export function credentialForms(credentials: Credentials | undefined): string[] {
  return credentials ? secretForms(credentials.password, [credentials.username]) : [];
}

/** The usernames a token from the environment would be sent with (see resolveCredentials). */
export function envUsernames(env: NodeJS.ProcessEnv): string[] {
  return [...new Set([env.GITHUB_ACTOR?.trim() || 'token', 'token'])];
}

/** Redacts every known form of the secrets, then any Authorization value left. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return redactAuthorization(redact(text, [...secrets]));
}

const registered = new Set<string>();

/** Remembers the forms of a secret this process resolved (stdin, env, docker config, a credential helper). */
export function registerSecrets(forms: readonly string[]): void {
  for (const f of forms) if (f) registered.add(f);
}

/** Every secret form registered so far. */
export function registeredSecrets(): string[] {
  return [...registered];
}
