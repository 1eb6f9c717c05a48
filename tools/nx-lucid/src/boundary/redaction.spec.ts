import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRelease } from '../nx/executors/release/executor';
import { executorContext } from '../../e2e/support/registry-check';
import { registryEnvPrefix } from '../registry/docker-credentials';
import { runWithRedactedFailure } from './redacted-failure';
import { redactAuthorization, redactSecrets, secretForms } from './redaction';
import { startEchoRegistry } from '../registry/testing/echo-registry';

const TOKEN = 'ghp_Secret0123456789abcdefXYZ';
const BEARER = 'eyJhbGciOi.bearerSecretFromTokenEndpoint.sig';

/** Every form the secrets could be printed in. */
const forms = [
  TOKEN,
  Buffer.from(`token:${TOKEN}`).toString('base64'),
  Buffer.from(`octo:${TOKEN}`).toString('base64'),
  BEARER,
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) =>
    statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)],
  );
}

/** `container-release list` against an echoing registry, every printed line kept. */
async function listThrough(host: string, root: string, env: Record<string, string | undefined>) {
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  const list = { action: 'list', registry: host, repository: 'hamigames/lucid', insecureRegistries: [host] };
  const run = () => runRelease(list, executorContext(root, 'auth-service'), { env, log });
  const result = await runWithRedactedFailure('release', 'auth-service', run, log);
  return { result, output: lines.join('\n') };
}

describe('redaction', () => {
  it('cuts Basic and Bearer values, whatever the secret', () => {
    expect(redactAuthorization('bad header Basic eDp0b2tfc2VjcmV0, then Bearer abc.def-ghi')).toBe(
      'bad header Basic ***, then Bearer ***',
    );
    expect(secretForms('s3cr3t', ['x'])).toEqual(['s3cr3t', Buffer.from('x:s3cr3t').toString('base64')]);
  });

  it('redacts every encoding and any 8-character fragment of a secret, longest form first', () => {
    const secret = 'Pa55/w+rd "q" \\ & end';
    const forms = [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
    for (const f of forms) expect(redactSecrets(`said: ${f}.`, [secret])).toBe('said: ***.');
    expect(redactSecrets(`cut ${secret.slice(0, 9)}`, [secret])).toBe('cut ***');
    expect(redactSecrets(`cut ${secret.slice(0, 7)}`, [secret])).toBe(`cut ${secret.slice(0, 7)}`);
  });

  describe.each([
    ['basic', 'json'],
    ['basic', 'text'],
    ['bearer', 'json'],
    ['bearer', 'text'],
  ] as const)('a registry (%s auth, %s errors) that echoes the Authorization header', (scheme, body) => {
    it('never shows the token, its base64 user:token, or the bearer token, in any output or file', async () => {
      const registry = await startEchoRegistry({ scheme, body, bearerToken: BEARER });
      const root = mkdtempSync(join(tmpdir(), 'lucid-redact-'));
      const saved = { GHCR_TOKEN: process.env.GHCR_TOKEN, GITHUB_ACTOR: process.env.GITHUB_ACTOR };
      // This registry is not ghcr.io: its credentials come from its LUCID_REGISTRY_<HOST>_* pair.
      const pair = registryEnvPrefix(registry.host);
      const env = { [`${pair}_USERNAME`]: 'octo', [`${pair}_PASSWORD`]: TOKEN, GITHUB_TOKEN: undefined };
      Object.assign(process.env, { GHCR_TOKEN: TOKEN, GITHUB_ACTOR: 'octo' });
      try {
        const { result, output } = await listThrough(registry.host, root, env);
        expect(result).toEqual({ success: false });
        // The failure is reported, with the registry's complaint, minus the credential.
        expect(output).toMatch(/HTTP 400/);
        expect(output).toMatch(scheme === 'basic' ? /Basic \*\*\*/ : /Bearer \*\*\*/);
        const written = filesUnder(root)
          .map((f) => readFileSync(f, 'utf8'))
          .join('\n');
        for (const secret of forms) {
          expect(output).not.toContain(secret);
          expect(written).not.toContain(secret);
        }
      } finally {
        Object.assign(process.env, saved);
        for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
        rmSync(root, { recursive: true, force: true });
        await registry.close();
      }
    });
  });
});

describe('a hostile registry echoing the secret in every encoding, and across the 200th character', () => {
  // Characters that every encoding changes: / + " \\ space & =.
  const SECRET = `Pa55/w+rd "q" \\ & = ${'k'.repeat(8)}-${Date.now()}`;
  const USER = 'octo';
  const bearerToken = `eyJ/hostile+bearer"${Date.now()}`;
  const forms = (s: string) => [
    s,
    encodeURIComponent(s),
    encodeURIComponent(s).replace(/%20/g, '+'),
    JSON.stringify(s).slice(1, -1),
  ];
  const fragments = (s: string) => Array.from({ length: s.length - 7 }, (_, i) => s.slice(i, i + 8));

  it.each(['basic', 'bearer'] as const)(
    '%s: no form and no 8-character fragment of the secret in the error',
    async (scheme) => {
      const registry = await startEchoRegistry({ scheme, body: 'hostile', bearerToken });
      const root = mkdtempSync(join(tmpdir(), 'lucid-hostile-'));
      const pair = registryEnvPrefix(registry.host);
      const env = {
        [`${pair}_USERNAME`]: USER,
        [`${pair}_PASSWORD`]: SECRET,
        GITHUB_TOKEN: undefined,
        GHCR_TOKEN: undefined,
      };
      try {
        const { result, output } = await listThrough(registry.host, root, env);
        expect(result).toEqual({ success: false });
        expect(output).toMatch(/HTTP 400 x{100}/);
        const basic = Buffer.from(`${USER}:${SECRET}`).toString('base64');
        const secrets = scheme === 'basic' ? [SECRET, basic] : [bearerToken];
        for (const s of secrets) {
          for (const f of forms(s)) expect(output).not.toContain(f);
          for (const f of fragments(s)) expect(output).not.toContain(f);
        }
      } finally {
        rmSync(root, { recursive: true, force: true });
        await registry.close();
      }
    },
  );
});

describe('failureLine', () => {
  it('keeps a file:line failure first and names the executor after it; other failures start with the executor', () => {
    const { failureLine } = require('./redacted-failure') as typeof import('./redacted-failure');
    expect(failureLine('build', 'api', 'apps/api/Dockerfile:22: RUN pip install: exit status 1\nlog: x')).toBe(
      'apps/api/Dockerfile:22: RUN pip install: exit status 1 [@lucid/nx-lucid:build (api)]\nlog: x',
    );
    expect(failureLine('push', 'api', 'HTTP 500')).toBe('@lucid/nx-lucid:push (api): HTTP 500');
  });
});
