/**
 * The auth half of a registry conversation: answers a 401 challenge (Basic: send credentials; Bearer: ask
 * the token endpoint for the request's scopes) and supplies the Authorization header afterwards. It only
 * talks to the token endpoint, through the fetch it is given; it never calls back into the transport.
 */
import { Challenge, Credentials, mergeScopes } from './auth';
import { authHint } from './credentials';
import { errorFromResponse, RegistryAuthError } from './errors';
import { basicAuthValue, credentialForms, redactSecrets, registerSecrets } from '../boundary/redaction';

export interface AuthRequest {
  scopes: string[];
  repository?: string;
  operation: string;
  method: string;
}

export class Authorizer {
  private readonly tokens = new Map<string, string>();
  private basic = false;

  constructor(
    private readonly registry: string,
    private readonly credentials: Credentials | undefined,
    private readonly tokenFetch: (url: string, headers: Record<string, string>) => Promise<Response>,
  ) {}

  get hasCredentials(): boolean {
    return this.credentials !== undefined;
  }

  /** Every secret form this conversation has seen: the password, its Basic value, each bearer token. */
  secrets(): string[] {
    return [...credentialForms(this.credentials), ...this.tokens.values()];
  }

  redact(text: string): string {
    return redactSecrets(text, this.secrets());
  }

  header(scopes: string[]): string | undefined {
    if (this.basic && this.credentials)
      return `Basic ${basicAuthValue(this.credentials.username, this.credentials.password)}`;
    const token = this.tokens.get(mergeScopes(scopes).join(' '));
    return token ? `Bearer ${token}` : undefined;
  }

  failure(status: number, o: AuthRequest): RegistryAuthError {
    const where = o.repository ? ` for ${this.registry}/${o.repository}` : ` for ${this.registry}`;
    if (!this.credentials) {
      return new RegistryAuthError(
        `${o.operation}: ${this.registry} requires authentication${where} (HTTP ${status}); ${authHint(this.registry)}`,
        status,
      );
    }
    return new RegistryAuthError(
      `${o.operation}: the credentials from ${this.credentials.source} (user ${this.credentials.username}) were refused${where} (HTTP ${status}); check the token's scopes (ghcr.io needs read:packages/write:packages)`,
      status,
    );
  }

  /** Prepares the header for a retry of the request after a 401 with this challenge. */
  async answer(challenge: Challenge | undefined, o: AuthRequest): Promise<void> {
    if (challenge?.scheme === 'basic') {
      if (!this.credentials) throw this.failure(401, o);
      this.basic = true;
      return;
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) {
      throw new RegistryAuthError(
        `${o.operation}: ${this.registry} answered 401 without a usable WWW-Authenticate challenge`,
        401,
      );
    }
    const scopes = mergeScopes([...o.scopes, challenge.params.scope]);
    const url = new URL(challenge.params.realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: Record<string, string> = { 'User-Agent': 'nx-lucid' };
    if (this.credentials)
      headers.Authorization = `Basic ${basicAuthValue(this.credentials.username, this.credentials.password)}`;
    const res = await this.tokenFetch(url.toString(), headers);
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw this.failure(res.status, o);
    }
    if (!res.ok)
      throw await errorFromResponse(
        res,
        { method: 'GET', operation: `${o.operation} (token request to ${url.host})`, where: this.registry },
        (t) => this.redact(t),
      );
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token)
      throw new RegistryAuthError(`${o.operation}: the token service at ${url.host} returned no token`, res.status);
    registerSecrets([token]);
    // Cache under both the merged scopes and the request's own, so the next request finds it without a 401.
    this.tokens.set(scopes.join(' '), token);
    this.tokens.set(mergeScopes(o.scopes).join(' '), token);
  }
}
