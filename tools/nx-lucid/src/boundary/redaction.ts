/**
 * Every form a registry secret travels in: the raw token, the base64 `user:token` of a Basic header, and
 * bearer tokens the token endpoint hands out, each also URL-encoded and JSON-escaped (how a registry or proxy
 * echoing a request would print it), and any run of FRAGMENT or more characters of them (a fragment left by
 * someone else's cut). Text that may echo a header (registry error bodies) also has any Authorization value
 * cut, whatever we know of the secret. Pure, but for the process-wide list of
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

/** The shortest piece of a secret form redacted on its own (shorter ones match ordinary words and digests). */
export const FRAGMENT = 8;

/** A value as it may come back: as is, URL-encoded (query or form: `%20` or `+`), JSON-escaped (`\/` too). */
export function encodings(value: string): string[] {
  const url = encodeURIComponent(value);
  const json = JSON.stringify(value).slice(1, -1);
  return [...new Set([value, url, url.replace(/%20/g, '+'), json, json.replace(/\//g, '\\/')])];
}

/** Replaces every run of text made of FRAGMENT-long pieces of a form with ***. */
export function redactFragments(text: string, forms: readonly string[]): string {
  const pieces = new Set<string>();
  for (const f of forms) for (let i = 0; i + FRAGMENT <= f.length; i++) pieces.add(f.slice(i, i + FRAGMENT));
  if (!pieces.size) return text;
  const hidden = new Uint8Array(text.length);
  for (let i = 0; i + FRAGMENT <= text.length; i++)
    if (pieces.has(text.slice(i, i + FRAGMENT))) hidden.fill(1, i, i + FRAGMENT);
  return text.replace(/[^]/g, (c, i: number) => (!hidden[i] ? c : i > 0 && hidden[i - 1] ? '' : '***'));
}

/** Redacts every form of the secrets (encodings, then fragments), then any Authorization value left. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const forms = [...new Set(secrets.filter((s) => s && s.length >= 4).flatMap(encodings))].sort(
    (a, b) => b.length - a.length,
  );
  return redactAuthorization(redactFragments(redact(text, forms), forms));
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
