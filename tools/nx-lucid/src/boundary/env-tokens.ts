/** Where CI keeps registry tokens in the environment: what every output must be redacted of. Pure. */

/** The env variables that may hold a registry token, in order of preference. */
export const TOKEN_ENV_VARS = ['GHCR_TOKEN', 'GITHUB_TOKEN'] as const;

/** The token values in the environment: what error and log output must never show. */
export function tokensInEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return TOKEN_ENV_VARS.map((name) => env[name]).filter((v): v is string => !!v);
}
