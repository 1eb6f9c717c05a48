/*
 * No credential reaches a child that does not need it. Our environment holds a registry pair, GHCR/GitHub tokens,
 * the Nx cache token and the Actions runtime token; then we start every kind of child we run (git and the credential
 * helper from a real push, skopeo from the base-digest cache-key script and from the build's digest lookup, the
 * engines' probes, buildx with a gha cache). Each program on PATH is a wrapper that copies /proc/<its pid>/environ
 * (what the child was given) and then runs the real program (docker: a stand-in, there is no Docker here).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runProcess, which } from '../src/boundary/process';
import { selectEngine } from '../src/build/engines/select';
import { runPush } from '../src/nx/executors/push/executor';
import { resolveDigest } from '../src/build/environment';
import { registryEnvPrefix } from '../src/registry/docker-credentials';
import { writeCredentialHelper } from './support/credential-helper';
import { makeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';
import { executorContext } from './support/registry-check';

const SECRETS = {
  GHCR_TOKEN: 'ghp_environ_ghcr_0123456789abcdef',
  GITHUB_TOKEN: 'ghs_environ_github_0123456789abcdef',
  NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'nx-cache-environ-0123456789',
  ACTIONS_RUNTIME_TOKEN: 'actions-runtime-environ-0123456789',
};
const SHA = '0123456789abcdef0123456789abcdef01234567';
const PAIR_PASSWORD = 'pair-password-environ-0123456789';
const HELPER_SECRET = 'helper-secret-environ-0123456789';

/** A wrapper that records the environment it was started with, then becomes the real program. */
function wrap(bin: string, dumps: string, name: string, real: string): void {
  const file = join(bin, name);
  writeFileSync(file, `#!/bin/sh\ncat /proc/$$/environ > "${dumps}/${name}.$$"\nexec "${real}" "$@"\n`);
  chmodSync(file, 0o755);
}

/** docker stand-in: answers buildx version/inspect and accepts a build, doing nothing. */
function dockerStandIn(dir: string): string {
  const file = join(dir, 'docker-stand-in');
  writeFileSync(
    file,
    '#!/bin/sh\ncase "$1 $2" in\n"buildx version") echo "github.com/docker/buildx v0.12.1 abcdef";;\n' +
      '"buildx inspect") printf "Name: lucid\\nDriver: docker-container\\n";;\nesac\nexit 0\n',
  );
  chmodSync(file, 0o755);
  return file;
}

function readDumps(dumps: string): Array<{ child: string; env: Map<string, string> }> {
  return readdirSync(dumps).map((f) => {
    const pairs = readFileSync(join(dumps, f), 'utf8').split('\0').filter(Boolean);
    const env = new Map(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const));
    return { child: f.split('.')[0], env };
  });
}

describe('children get an environment without the credentials they do not need', () => {
  let reg: TestRegistry;
  let tmp: string;
  const saved = { ...process.env };
  beforeAll(async () => {
    reg = await startRegistry();
    tmp = mkdtempSync(join(tmpdir(), 'lucid-environ-'));
  });
  afterAll(async () => {
    process.env = saved;
    await reg?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('git, skopeo, buildah, docker and the credential helper hold no credential; buildx gha gets only its token', async () => {
    const bin = join(tmp, 'bin');
    const dumps = join(tmp, 'dumps');
    mkdirSync(dumps, { recursive: true });
    mkdirSync(join(tmp, 'helper'), { recursive: true });
    const helper = writeCredentialHelper(join(tmp, 'helper'), {
      [reg.host]: { username: 'helper-user', secret: HELPER_SECRET },
    });
    mkdirSync(bin, { recursive: true });
    for (const name of ['git', 'skopeo', 'buildah']) wrap(bin, dumps, name, which(name)!);
    wrap(bin, dumps, 'docker', dockerStandIn(tmp));
    wrap(bin, dumps, 'docker-credential-test', join(helper.binDir, 'docker-credential-test'));
    writeFileSync(join(tmp, 'config.json'), JSON.stringify({ credHelpers: { [reg.host]: 'test' } }));
    const prefix = registryEnvPrefix('registry.other.example:5000');
    process.env = {
      ...saved,
      ...SECRETS,
      PATH: `${bin}:${saved.PATH}`,
      DOCKER_CONFIG: tmp,
      [`${prefix}_USERNAME`]: 'ci',
      [`${prefix}_PASSWORD`]: PAIR_PASSWORD,
      GITHUB_SHA: undefined,
      GITHUB_REF_NAME: undefined,
      LUCID_INSECURE_REGISTRIES: reg.host,
    };

    // A real push: git (rev-parse, for the branch) and the credential helper (config.json credHelpers for this registry).
    const made = makeLayout({ project: 'environ-service', platforms: ['linux/amd64'] });
    const opts = { sha: SHA, outputPath: made.outputPath, registry: reg.host, repository: 'hamigames/lucid' };
    const pushed = await runPush(opts, executorContext(made.root, 'environ-service'), { log: () => undefined });
    const ref = `${reg.host}/hamigames/lucid/environ-service@${pushed.digest}`;
    // skopeo: the build's digest lookup, and the base-digest cache-key script (run with our whole environment).
    expect(await resolveDigest(ref, true)).toBe(pushed.digest);
    const script = resolve(__dirname, '..', 'bin', 'base-digest.js');
    const byTag = `${reg.host}/hamigames/lucid/environ-service:${SHA}`;
    // Nx runs it with its own (whole) environment; jest's process.env is not what child_process reads by itself.
    const keyLine = execFileSync(process.execPath, [script, byTag], { cwd: tmp, env: process.env, encoding: 'utf8' });
    expect(keyLine).toBe(`${byTag} ${byTag}@${pushed.digest}\n`);
    // The engines: buildah's probe, buildx's probe, and a buildx build with a gha cache.
    await selectEngine('buildah');
    await selectEngine('buildx');
    await runProcess('docker', ['buildx', 'build', '--cache-to', 'type=gha,scope=s,mode=max', '.'], { cwd: tmp });

    const children = readDumps(dumps);
    expect([...new Set(children.map((c) => c.child))].sort()).toEqual([
      'buildah',
      'docker',
      'docker-credential-test',
      'git',
      'skopeo',
    ]);
    const all = [...Object.values(SECRETS), PAIR_PASSWORD, HELPER_SECRET];
    const found = children.flatMap(({ child, env }) =>
      [...env].flatMap(([k, v]) => (all.some((s) => v.includes(s)) ? [`${child}: ${k}`] : [])),
    );
    // Only the gha build holds the Actions runtime token, which buildx's gha cache reads.
    expect(found.sort()).toEqual(['docker: ACTIONS_RUNTIME_TOKEN']);
    expect(children.filter((c) => c.child === 'skopeo')).toHaveLength(2);
    const gha = children.filter((c) => c.env.has('ACTIONS_RUNTIME_TOKEN'));
    expect(gha).toHaveLength(1);
    // The helper did answer (its stdout gave the credentials), with nothing but its own variables.
    expect(helper.calls().length).toBeGreaterThan(0);
  });
});
