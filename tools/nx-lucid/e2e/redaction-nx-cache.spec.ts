/*
 * A credential never reaches the Nx cache: `container-release list` run through the real Nx CLI, as a cached
 * target (failures cached too, NX_CACHE_FAILURES=true), against stand-in registries that echo the Authorization
 * header in their error bodies (Basic with a JSON body, Bearer from the token endpoint with a text body).
 * The secret, its base64 `user:secret` and the bearer token appear in no terminal output (first run, and the run
 * replayed from the cache), no file under the Nx cache directory, no dist output, no file of the workspace.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registryEnvPrefix } from '../src/registry/docker-credentials';
import { startEchoRegistry, EchoRegistry } from '../src/registry/testing/echo-registry';
import { createWorkspace, ThrowawayWorkspace } from './support/workspace';

// Made at run time: this spec is copied into the workspace, so a literal would be found in it.
const TOKEN = `ghp_${randomBytes(12).toString('hex')}`;
const BEARER = `eyJ${randomBytes(9).toString('hex')}.bearer.${randomBytes(6).toString('hex')}`;
const USER = 'octo';
const FORMS = [TOKEN, Buffer.from(`${USER}:${TOKEN}`).toString('base64'), BEARER];

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.name === 'node_modules' ? [] : e.isDirectory() ? files(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  );
const leaks = (text: string) => FORMS.filter((f) => text.includes(f));

describe('Nx cache terminalOutputs: no credential in any form', () => {
  let basic: EchoRegistry;
  let bearer: EchoRegistry;
  let ws: ThrowawayWorkspace;

  const project = (name: string, host: string) => ({
    [`apps/${name}/project.json`]: JSON.stringify({
      name,
      tags: ['type:fixture'],
      targets: {
        'echo-list': {
          executor: '@lucid/nx-lucid:release',
          cache: true,
          options: { action: 'list', registry: host, repository: 'hamigames/lucid', insecureRegistries: [host] },
        },
      },
    }),
  });

  beforeAll(async () => {
    [basic, bearer] = await Promise.all([
      startEchoRegistry({ scheme: 'basic', body: 'json' }),
      startEchoRegistry({ scheme: 'bearer', body: 'text', bearerToken: BEARER }),
    ]);
    ws = await createWorkspace({
      files: { ...project('echo-basic', basic.host), ...project('echo-bearer', bearer.host) },
    });
  });
  afterAll(async () => {
    ws?.dispose();
    // The test closes the registries itself before the replay; this covers an early failure.
    await Promise.all([basic?.close(), bearer?.close()]).catch(() => undefined);
  });

  it('failing registry output is cached and replayed redacted; the secret is in no output or file', async () => {
    const cacheDir = join(ws.root, 'nx-cache');
    const env: NodeJS.ProcessEnv = {
      NX_SKIP_NX_CACHE: 'false',
      NX_CACHE_FAILURES: 'true',
      NX_CACHE_DIRECTORY: cacheDir,
      GITHUB_TOKEN: undefined,
      // How release finds a token today for any registry; the per-registry pair below is docker-credentials' way.
      GHCR_TOKEN: TOKEN,
      GITHUB_ACTOR: USER,
    };
    for (const host of [basic.host, bearer.host]) {
      env[`${registryEnvPrefix(host)}_USERNAME`] = USER;
      env[`${registryEnvPrefix(host)}_PASSWORD`] = TOKEN;
    }
    const run = () => ws.nx(['run-many', '-t', 'echo-list', '--parallel=2', '--outputStyle=static'], env);

    const first = await run();
    const firstOut = first.stdout + first.stderr;
    expect(first.exitCode).not.toBe(0);
    expect(leaks(firstOut)).toEqual([]);
    // Each registry's complaint reached the output, minus the credential.
    expect(firstOut).toMatch(/HTTP 400/);
    expect(firstOut).toMatch(/Basic \*\*\*/);
    expect(firstOut).toMatch(/Bearer \*\*\*/);

    // With both registries gone, the registry's complaint can only come from the cache (a failed cached task
    // is replayed without Nx's "[local cache]" tag).
    await Promise.all([basic.close(), bearer.close()]);
    const replay = await run();
    const replayOut = (replay.stdout + replay.stderr).replace(/\x1b\[[0-9;]*m/g, '');
    expect(replay.exitCode).not.toBe(0);
    expect(replayOut).toMatch(/HTTP 400 DENIED: bad header Basic \*\*\*/);
    expect(replayOut).toMatch(/HTTP 400 bad request; Authorization=Bearer \*\*\*/);
    expect(leaks(replayOut)).toEqual([]);

    // The failures were stored (terminal outputs name the registry's error), and hold no credential.
    const cached = files(cacheDir).map((f) => ({ f, text: readFileSync(f, 'latin1') }));
    expect(cached.filter(({ text }) => /HTTP 400/.test(text)).length).toBeGreaterThanOrEqual(2);
    for (const { f, text } of cached) expect({ f, leaked: leaks(text) }).toEqual({ f, leaked: [] });

    // Nor in dist, .nx or any other file of the workspace.
    const everything = files(ws.root).filter((f) => !f.startsWith(cacheDir));
    for (const f of everything) expect({ f, leaked: leaks(readFileSync(f, 'latin1')) }).toEqual({ f, leaked: [] });
  });
});
