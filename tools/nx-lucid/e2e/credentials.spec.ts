/**
 * Docker credentials against a real htpasswd registry: a config.json in `docker login` form (DOCKER_CONFIG
 * pointing at a temp folder) and a stand-in `docker-credential-test` helper on PATH. The token is looked for in
 * every log line, every file the push wrote, and the helper's argv and environment.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runPush } from '../src/nx/executors/push/executor';
import { writeCredentialHelper } from './support/credential-helper';
import { makeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';
import { executorContext } from './support/registry-check';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const USER = 'ci';
const TOKEN = 'lucid-htpasswd-s3cret-0123456789';
const BASIC = Buffer.from(`${USER}:${TOKEN}`).toString('base64');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** The digest the registry holds for a tag, asked with the htpasswd credentials. */
async function tagDigest(reg: TestRegistry, repo: string, tag: string): Promise<string | null> {
  const r = await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      Authorization: `Basic ${BASIC}`,
      Accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json',
    },
  });
  return r.ok ? r.headers.get('docker-content-digest') : null;
}

describe('docker credentials against an htpasswd registry', () => {
  let reg: TestRegistry;
  let tmp: string;
  beforeAll(async () => {
    reg = await startRegistry({ htpasswd: { username: USER, password: TOKEN } });
  });
  afterAll(async () => reg?.stop());
  beforeEach(() => (tmp = mkdtempSync(join(tmpdir(), 'lucid-docker-config-'))));
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const baseEnv = () => ({
    GITHUB_SHA: undefined,
    GITHUB_REF_NAME: undefined,
    HOME: tmp,
    DOCKER_CONFIG: tmp,
    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    // A GitHub token in the environment is not for this registry: it must not be sent or be needed.
    GITHUB_TOKEN: 'ghs_not_for_this_registry_000',
  });

  async function pushAs(project: string, env: NodeJS.ProcessEnv) {
    const made = makeLayout({ project });
    const lines: string[] = [];
    try {
      const result = await runPush(
        { outputPath: made.outputPath, registry: reg.host, repository: 'hamigames/lucid', sha: SHA },
        executorContext(made.root, project),
        { env, log: (l) => lines.push(l) },
      );
      expect(result.digest).toBe(made.metadata.index.digest);
      expect(await tagDigest(reg, `hamigames/lucid/${project}`, SHA)).toBe(made.metadata.index.digest);
      const written = filesUnder(made.root).map((f) => readFileSync(f).toString('latin1'));
      expect(written.length).toBeGreaterThan(3);
      expect(written.some((t) => t.includes('"digest"'))).toBe(true); // push.json is among them
      return { lines, written };
    } finally {
      rmSync(made.root, { recursive: true, force: true });
    }
  }

  const expectNoSecret = (texts: string[]) => {
    for (const t of texts) {
      expect(t).not.toContain(TOKEN);
      expect(t).not.toContain(BASIC);
    }
  };

  it('without credentials the push is refused before anything is sent, naming the variables to set', async () => {
    const made = makeLayout({ project: 'cred-none' });
    try {
      await expect(
        runPush(
          { outputPath: made.outputPath, registry: reg.host, repository: 'hamigames/lucid', sha: SHA },
          executorContext(made.root, 'cred-none'),
          { env: baseEnv(), log: () => undefined },
        ),
      ).rejects.toThrow(/requires authentication.*LUCID_REGISTRY_127_0_0_1_\d+_USERNAME.*docker login/);
    } finally {
      rmSync(made.root, { recursive: true, force: true });
    }
  });

  it('pushes with the auths entry `docker login` writes to config.json; the token is in no log or file', async () => {
    writeFileSync(join(tmp, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth: BASIC } } }, null, '\t'));
    const { lines, written } = await pushAs('cred-config', baseEnv());
    expect(lines.join('\n')).toMatch(/pushed/);
    expectNoSecret([...lines, ...written]);
  });

  it('pushes with a credHelpers entry through docker-credential-test; the token is in no log, file, argv or child env', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'lucid-cred-helper-'));
    try {
      const helper = writeCredentialHelper(bin, { [reg.host]: { username: USER, secret: TOKEN } });
      writeFileSync(join(tmp, 'config.json'), JSON.stringify({ auths: {}, credHelpers: { [reg.host]: 'test' } }));
      const env = { ...baseEnv(), PATH: `${bin}:${baseEnv().PATH}`, NPM_TOKEN: 'npm_never_for_helpers' };
      const { lines, written } = await pushAs('cred-helper', env);
      const calls = helper.calls();
      expect(calls.map((c) => ({ argv: c.argv, stdin: c.stdin }))).toEqual([{ argv: ['get'], stdin: reg.host }]);
      // An explicit environment: no registry tokens, nothing of ours beyond what a helper needs.
      expect(Object.keys(calls[0].env).sort()).toEqual(['DOCKER_CONFIG', 'HOME', 'PATH']);
      expectNoSecret([...lines, ...written, ...calls.map((c) => JSON.stringify({ argv: c.argv, env: c.env }))]);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
