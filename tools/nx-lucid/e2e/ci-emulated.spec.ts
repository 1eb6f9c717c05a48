import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { runProcess } from '../src/boundary/process';
import { CONTAINERS_WORKFLOW, WORKFLOW_FILES } from '../src/ci/workflows';
import { sarifValidator } from '../src/scan/test-support';
import { fakeTrivyBin } from './support/fake-trivy-bin';
import { packPlugin } from './support/packed-plugin';
import { startRegistry, TestRegistry } from './support/registry';
import { Emulation, jobRuns, JobResult, matrixOf, runJob, Workflow } from './support/workflow-emulator';
import { testGit } from './support/git';
import { pnpmInstall, writePnpmAdopter } from './support/pnpm-adopter';
import { NX_ENV } from './support/workspace';

/**
 * The generated CI run in a workspace it was not written for: a fresh pnpm Nx workspace (nx and the plugin linked
 * from this repository, so it is made offline; pnpm itself from the npm registry) with one tagged service and one
 * project the plugin infers from a bare Dockerfile, its origin remote on GitHub. containers.yml's jobs run in order
 * (workflow-emulator.ts): plan → for every matrix entry build → scan → report (per service) → push → attest (per
 * service), each in a fresh clone, to a real docker-registry with basic auth. Stand-ins only where the real part
 * cannot run here: buildah for buildx (no BuildKit daemon), the stand-in trivy, the attest actions (Sigstore and
 * GitHub's attestations API: the stand-in checks their inputs and the job's permissions).
 */
let root: string;
let origin: string;
let registry: TestRegistry;
const credentials = { username: 'ci', password: 'emulated-secret' };

const { git, commit } = testGit(() => origin);
const write = (file: string, text: string) => {
  mkdirSync(dirname(join(origin, file)), { recursive: true });
  writeFileSync(join(origin, file), text);
};
const env = () => ({ ...process.env, ...NX_ENV });

let base: string;
let head: string;
beforeAll(async () => {
  registry = await startRegistry({ htpasswd: credentials });
  root = mkdtempSync(join(tmpdir(), 'lucid-ci-emu-'));
  origin = join(root, 'origin');
  mkdirSync(origin);
  // The plugin as an adopter installs it: its packed tarball (linked, Nx could take it for a local project).
  const tarball = await packPlugin(root, env());
  writePnpmAdopter(origin, 'shop', tarball);
  const options = { registry: registry.host, insecureRegistries: [registry.host] };
  write('nx.json', JSON.stringify({ plugins: [{ plugin: '@lucid/nx-lucid', options }] }, null, 2));
  write('.gitignore', 'node_modules\n.nx\ndist\n.lucid\n');
  await git(['init', '-q', '-b', 'main']);
  await git(['remote', 'add', 'origin', 'https://github.com/Acme-Org/Shop.git']);
  const pnpm = await pnpmInstall(origin, env());
  expect(pnpm.exitCode).toBe(0);
  base = await commit('workspace');
  // A tagged service, and a project that is only a Dockerfile (no project.json, no tags).
  write('apps/hello/project.json', JSON.stringify({ name: 'hello', tags: ['phase:1', 'type:service'] }));
  write('apps/hello/hello.txt', 'hello\n');
  write('apps/hello/Dockerfile', 'FROM scratch\nCOPY apps/hello/hello.txt /hello.txt\nUSER 65532:65532\n');
  write('web/index.html', '<p>web</p>\n');
  write('web/Dockerfile', 'FROM scratch\nCOPY web/index.html /srv/index.html\nUSER 65532:65532\n');
  const generated = await runProcess(
    join(origin, 'node_modules/.bin/nx'),
    ['g', '@lucid/nx-lucid:ci', '--no-interactive'],
    {
      cwd: origin,
      env: env(),
    },
  );
  expect(generated.exitCode).toBe(0);
  head = await commit('services and CI');
}, 600_000);
afterAll(async () => {
  await registry?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

function emulation(): Emulation {
  const validate = sarifValidator();
  const npmGlobal = join(root, 'npm-global');
  return {
    origin,
    jobsDir: root,
    cacheDir: join(root, 'actions-cache'),
    github: {
      // As GitHub sets it: the repository of the git remote, in its own case.
      repository: 'Acme-Org/Shop',
      sha: head,
      ref: 'refs/heads/main',
      ref_name: 'main',
      event_name: 'push',
      run_id: '1001',
      run_attempt: '1',
      server_url: 'https://github.com',
      actor: 'ci',
    },
    secrets: {
      GITHUB_TOKEN: 'unused',
      LUCID_REGISTRY_USERNAME: credentials.username,
      LUCID_REGISTRY_PASSWORD: credentials.password,
    },
    inputs: {},
    shas: { base, head },
    trivyBin: fakeTrivyBin({ FAKE_TRIVY_REPORT: cleanReport() }),
    // The workflow's `npm install --global pnpm@…` goes to a folder of this test, not the machine.
    path: [join(npmGlobal, 'bin')],
    envOverride: {
      LUCID_ENGINE: 'buildah',
      NPM_CONFIG_PREFIX: npmGlobal,
      NPM_CONFIG_PREFER_OFFLINE: 'true',
      NX_TUI: 'false',
    },
    validateSarif: (log) => (validate(log) ? null : JSON.stringify(validate.errors)),
    record: [],
  };
}

/** A Trivy JSON report (schema version 2) of an image in which nothing was found. */
function cleanReport(): string {
  const file = join(root, 'trivy-clean.json');
  writeFileSync(
    file,
    JSON.stringify({ SchemaVersion: 2, ArtifactName: 'layout', ArtifactType: 'container_image', Results: [] }),
  );
  return file;
}

const done = (r: JobResult) => ({ result: 'success', outputs: r.outputs });

async function registryTags(repository: string): Promise<string[]> {
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  const r = await fetch(`${registry.url}/v2/${repository}/tags/list`, { headers: { authorization: `Basic ${auth}` } });
  if (r.status !== 200) return [];
  return ((await r.json()) as { tags: string[] }).tags.sort();
}

async function registryDigest(repository: string, tag: string): Promise<string> {
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  const r = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { authorization: `Basic ${auth}`, accept: 'application/vnd.oci.image.index.v1+json' },
  });
  return r.headers.get('docker-content-digest') ?? `no digest (${r.status})`;
}

it('containers.yml runs unchanged in a fresh pnpm workspace: plan → build → scan → report → push to a real registry → attest', async () => {
  const text = readFileSync(join(origin, '.github/workflows', CONTAINERS_WORKFLOW), 'utf8');
  expect(text).not.toMatch(/hamigames|npm ci|npm run|npx /i);
  expect(WORKFLOW_FILES.every((f) => readFileSync(join(origin, '.github/workflows', f), 'utf8').length > 0)).toBe(true);
  const workflow = parse(text) as Workflow;
  const emu = emulation();

  const plan = await runJob(emu, workflow, 'plan');
  expect(JSON.parse(plan.outputs.matrix).include).toEqual([
    { phase: 1, label: 'phase 1', parallel: 1, projects: 'hello' },
    { phase: 'untagged', label: 'untagged', parallel: 1, projects: 'web' },
  ]);
  const needs: Record<string, unknown> = { plan: done(plan) };
  for (const id of ['build', 'scan', 'report', 'push'])
    expect(jobRuns(emu, workflow, id, { ...needs, build: {}, scan: {} })).toBe(true);

  const summaries: Record<string, string> = {};
  for (const entry of matrixOf(emu, workflow, 'build', needs)) {
    const build = await runJob(emu, workflow, 'build', { matrix: entry, needs });
    const scan = await runJob(emu, workflow, 'scan', { matrix: entry, needs: { ...needs, build: done(build) } });
    const project = String(entry!.projects);
    // The job summary holds the service's scan summary exactly once (the scan executor writes it; no step repeats it).
    summaries[project] = scan.summary;
    // (Nx adds its own run report to the summary too.)
    const own = readFileSync(join(scan.dir, 'dist/containers', project, 'scan/summary.md'), 'utf8');
    expect(scan.summary.split(own).length - 1).toBe(1);
    const after = { ...needs, scan: done(scan) };
    for (const service of matrixOf(emu, workflow, 'report', after).filter((s) => s!.phase === entry!.phase))
      await runJob(emu, workflow, 'report', { matrix: service, needs: after });
    const push = await runJob(emu, workflow, 'push', { matrix: entry, needs: after });
    // One attest job per pushed service of this phase: provenance and SBOM through the attest stand-in.
    const pushed = { ...after, push: done(push) };
    expect(jobRuns(emu, workflow, 'attest', pushed)).toBe(true);
    for (const service of matrixOf(emu, workflow, 'attest', pushed).filter((s) => s!.phase === entry!.phase))
      await runJob(emu, workflow, 'attest', { matrix: service, needs: pushed });
  }
  expect(Object.keys(summaries)).toEqual(['hello', 'web']);
  expect(emu.record.filter((r) => r.startsWith('upload-sarif'))).toEqual([
    'upload-sarif dist/containers/hello/scan/report.sarif category=container-hello',
    'upload-sarif dist/containers/web/scan/report.sarif category=container-web',
  ]);
  // The image repository is this workflow's own (github.repository, lower-cased); both projects pushed.
  for (const project of ['hello', 'web']) {
    const tags = await registryTags(`acme-org/shop/${project}`);
    expect(tags).toContain(head);
    expect(tags).toContain('latest');
  }
  expect(await registryTags('hamigames/lucid/hello')).toEqual([]);
  // Each pushed image is attested by name and the digest the registry serves for it (GitHub's signing cannot run
  // here: the stand-in checks the inputs and the job's permissions).
  for (const project of ['hello', 'web']) {
    const image = `${registry.host}/acme-org/shop/${project}`;
    const digest = await registryDigest(`acme-org/shop/${project}`, 'latest');
    expect(emu.record).toContain(`actions/attest-build-provenance ${image}@${digest}`);
    expect(emu.record).toContain(
      `actions/attest-sbom ${image}@${digest} dist/containers/${project}/scan/sbom.cdx.json (CycloneDX)`,
    );
  }
  console.log(emu.record.filter((r) => /^(job|step) /.test(r)).join('\n'));
}, 900_000);
