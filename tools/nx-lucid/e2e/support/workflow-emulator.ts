/**
 * Runs a generated workflow's jobs on this machine: every `run:` step for real, in order, with bash -eo pipefail
 * (or `node {0}`), the step's env and GitHub's files (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STEP_SUMMARY); every
 * `uses:` step emulated:
 *   actions/checkout       a fresh clone of the origin repository per job (same folder depth as the origin),
 *                          its origin remote set to the GitHub repository as checkout leaves it;
 *   nrwl/nx-set-shas       NX_BASE / NX_HEAD as given;
 *   actions/setup-node, docker/setup-qemu-action, docker/setup-buildx-action, crazy-max/ghaction-github-runtime,
 *   docker/login-action    no-ops (recorded);
 *   actions/cache[/save|/restore]  a folder per key (fail-on-cache-miss honoured, cache-hit output);
 *   aquasecurity/setup-trivy       the stand-in trivy's folder on PATH;
 *   github/codeql-action/upload-sarif  the file must exist and validate as SARIF 2.1.0 (recorded with its category);
 *   actions/attest-build-provenance, actions/attest-sbom  a stand-in (Sigstore's Fulcio and Rekor and GitHub's
 *                          attestations API cannot be reached here, so nothing is signed): it checks the inputs as
 *                          actions/attest v4 does (exactly one subject form; subject-name with subject-digest, the
 *                          digest sha256:<64 hex>, the name a registry/repository/name without a tag, since
 *                          push-to-registry needs it; push-to-registry true; the SBOM a CycloneDX or SPDX JSON file of
 *                          at most 16 MiB with the fields actions/attest requires) and the job's permissions (id-token,
 *                          attestations and packages: write), then records `<action> <name>@<digest>`.
 * An action outside this list fails the job.
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { runProcess } from '../../src/boundary/process';
import { condition, Contexts, evaluateValue, ExpressionHooks, interpolate } from './gh-expressions';

type Step = {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
};
export type Job = { if?: string; env?: Record<string, string>; outputs?: Record<string, string>; steps: Step[] };
export type Workflow = { env?: Record<string, string>; jobs: Record<string, Job & Record<string, unknown>> };

export interface Emulation {
  /** The repository the checkout step clones. */
  origin: string;
  /** Job folders are made here: keep it at the origin's depth (lockfiles may hold relative links). */
  jobsDir: string;
  cacheDir: string;
  github: Record<string, unknown>;
  secrets: Record<string, string>;
  inputs: Record<string, unknown>;
  shas: { base: string; head: string };
  trivyBin: string;
  /** Folders put before PATH in every step. */
  path: string[];
  /** Applied over the workflow's env (what cannot run here, e.g. LUCID_ENGINE=buildah for buildx). */
  envOverride: Record<string, string>;
  validateSarif(log: unknown): string | null;
  /** Every emulated action and upload, for the test to read. */
  record: string[];
}

export interface JobResult {
  outputs: Record<string, string>;
  summary: string;
  dir: string;
}

interface JobState {
  /** The job's `permissions:` (what GitHub would grant the job's token). */
  permissions: Record<string, string>;
  dir: string;
  temp: string;
  env: Record<string, string>;
  path: string[];
  steps: Record<string, { outputs: Record<string, string>; outcome: string }>;
  summary: string;
  succeeded: boolean;
}

let jobCount = 0;

const hooksFor = (state: JobState): ExpressionHooks => ({
  succeeded: state.succeeded,
  hashFiles: (patterns) => {
    const hash = createHash('sha256');
    let any = false;
    for (const p of patterns) {
      for (const file of expandPath(state.dir, p)) {
        any = true;
        hash.update(readFileSync(join(state.dir, file)));
      }
    }
    return any ? hash.digest('hex') : '';
  },
});

/** `dist/containers/*\/scan`: `*` segments expanded against the folder (the only glob the workflows use). */
export function expandPath(root: string, pattern: string): string[] {
  let found = [''];
  for (const segment of pattern.split('/').filter(Boolean)) {
    found = found.flatMap((base) => {
      if (segment !== '*') return existsSync(join(root, base, segment)) ? [join(base, segment)] : [];
      const dir = join(root, base);
      return existsSync(dir) ? readdirSync(dir).map((n) => join(base, n)) : [];
    });
  }
  return found.filter(Boolean);
}

function contextsFor(emu: Emulation, state: JobState, matrix: unknown, needs: unknown): Contexts {
  return {
    github: { ...emu.github, workspace: state.dir },
    secrets: emu.secrets,
    inputs: emu.inputs,
    vars: {},
    env: state.env,
    matrix: matrix ?? {},
    needs: needs ?? {},
    steps: state.steps,
    runner: { temp: state.temp, os: 'Linux', arch: 'X64' },
    strategy: {},
    job: {},
  };
}

function cacheStep(emu: Emulation, state: JobState, step: Step, action: string, ctx: Contexts): Record<string, string> {
  const w = (k: string) => interpolate(String(step.with?.[k] ?? ''), ctx, hooksFor(state));
  const store = join(emu.cacheDir, w('key'));
  const paths = w('path').split('\n').filter(Boolean);
  if (action === 'actions/cache/save') {
    if (existsSync(store)) return {};
    mkdirSync(store, { recursive: true });
    for (const p of paths)
      for (const rel of expandPath(state.dir, p)) cpSync(join(state.dir, rel), join(store, rel), { recursive: true });
    emu.record.push(`cache save ${relative(emu.cacheDir, store)}`);
    return {};
  }
  const hit = existsSync(store);
  if (!hit && step.with?.['fail-on-cache-miss'] === true)
    throw new Error(`cache miss for ${w('key')} (fail-on-cache-miss)`);
  if (hit) cpSync(store, state.dir, { recursive: true });
  emu.record.push(`cache restore ${w('key')}: ${hit ? 'hit' : 'miss'}`);
  return { 'cache-hit': String(hit) };
}

async function usesStep(emu: Emulation, state: JobState, step: Step, ctx: Contexts): Promise<Record<string, string>> {
  const action = step.uses!.split('@')[0];
  if (action === 'actions/checkout') {
    await runProcess('git', ['clone', '--quiet', emu.origin, state.dir]);
    // actions/checkout leaves origin pointing at the GitHub repository.
    const url = `${emu.github.server_url}/${emu.github.repository}`;
    await runProcess('git', ['remote', 'set-url', 'origin', url], { cwd: state.dir });
    return {};
  }
  if (action === 'nrwl/nx-set-shas') {
    Object.assign(state.env, { NX_BASE: emu.shas.base, NX_HEAD: emu.shas.head });
    return { base: emu.shas.base, head: emu.shas.head };
  }
  if (action.startsWith('actions/cache')) return cacheStep(emu, state, step, action, ctx);
  if (action === 'aquasecurity/setup-trivy') {
    state.path.unshift(emu.trivyBin);
    return {};
  }
  if (action === 'actions/attest-build-provenance' || action === 'actions/attest-sbom') {
    emu.record.push(attestStandIn(state, action, step, ctx));
    return { 'bundle-path': join(state.temp, 'attestation.json') };
  }
  if (action === 'github/codeql-action/upload-sarif') {
    const file = interpolate(String(step.with!.sarif_file), ctx, hooksFor(state));
    const category = interpolate(String(step.with!.category), ctx, hooksFor(state));
    const problem = emu.validateSarif(JSON.parse(readFileSync(join(state.dir, file), 'utf8')));
    if (problem) throw new Error(`upload-sarif: ${file} is not valid SARIF: ${problem}`);
    emu.record.push(`upload-sarif ${file} category=${category}`);
    return {};
  }
  const noOps = [
    'actions/setup-node',
    'docker/setup-qemu-action',
    'docker/setup-buildx-action',
    'crazy-max/ghaction-github-runtime',
    'docker/login-action',
  ];
  if (!noOps.includes(action)) throw new Error(`action ${action} is not emulated`);
  emu.record.push(`no-op ${action} ${JSON.stringify(step.with ?? {})}`);
  return {};
}

/** The attest actions' input checks (actions/attest v4 src/subject.ts, src/sbom.ts, src/main.ts) and the job's rights. */
function attestStandIn(state: JobState, action: string, step: Step, ctx: Contexts): string {
  const w = (k: string) => interpolate(String(step.with?.[k] ?? ''), ctx, hooksFor(state));
  const fail = (msg: string) => {
    throw new Error(`${action} (stand-in): ${msg}`);
  };
  for (const scope of ['id-token', 'attestations', 'packages'])
    if (state.permissions[scope] !== 'write') fail(`the job lacks ${scope}: write`);
  const forms = ['subject-path', 'subject-digest', 'subject-checksums'].filter((k) => w(k) !== '');
  if (forms.length !== 1)
    fail(`exactly one of subject-path, subject-digest, subject-checksums, got ${forms.join(', ') || 'none'}`);
  const [name, digest] = [w('subject-name'), w('subject-digest')];
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) fail(`subject-digest "${digest}" is not sha256:<64 hex>`);
  if (!/^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)+$/.test(name))
    fail(`subject-name "${name}" is not a fully qualified image name without a tag (push-to-registry needs one)`);
  if (w('push-to-registry') !== 'true') fail(`push-to-registry is "${w('push-to-registry')}", not true`);
  if (action === 'actions/attest-build-provenance') return `${action} ${name}@${digest}`;
  const file = join(state.dir, w('sbom-path'));
  if (!existsSync(file)) fail(`SBOM file not found: ${w('sbom-path')}`);
  if (statSync(file).size > 16 * 1024 * 1024) fail('SBOM file exceeds 16 MiB');
  const sbom = JSON.parse(readFileSync(file, 'utf8'));
  const cyclonedx = !!(sbom?.bomFormat && sbom?.serialNumber && sbom?.specVersion);
  if (!cyclonedx && !(sbom?.spdxVersion && sbom?.SPDXID))
    fail('Unsupported SBOM format. Must be valid SPDX or CycloneDX JSON.');
  return `${action} ${name}@${digest} ${w('sbom-path')} (${cyclonedx ? 'CycloneDX' : 'SPDX'})`;
}

const readKeyValues = (file: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1);
  }
  return out;
};

async function runStep(emu: Emulation, state: JobState, step: Step, ctx: Contexts): Promise<Record<string, string>> {
  const files = { GITHUB_OUTPUT: 'output', GITHUB_ENV: 'env', GITHUB_STEP_SUMMARY: 'summary' };
  const paths = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, join(state.temp, `${f}-${jobCount}`)]));
  for (const p of Object.values(paths)) writeFileSync(p, '');
  const stepEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = interpolate(String(v), ctx, hooksFor(state));
  const env = { ...state.env, ...stepEnv, ...paths, PATH: [...state.path, process.env.PATH].join(':') };
  const script = interpolate(step.run!, ctx, hooksFor(state));
  const node = step.shell === 'node {0}';
  const file = join(state.temp, `step-${jobCount}.${node ? 'js' : 'sh'}`);
  writeFileSync(file, script);
  const args = node ? [file] : ['--noprofile', '--norc', '-eo', 'pipefail', file];
  const r = await runProcess(node ? process.execPath : 'bash', args, { cwd: state.dir, env, allowFailure: true });
  if (r.exitCode !== 0)
    throw new Error(
      `step "${step.name}" exited ${r.exitCode}\n${script}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
    );
  Object.assign(state.env, readKeyValues(paths.GITHUB_ENV));
  state.summary += readFileSync(paths.GITHUB_STEP_SUMMARY, 'utf8');
  return readKeyValues(paths.GITHUB_OUTPUT);
}

/** Runs one job (one matrix entry) to the end; a failing step throws with its output. */
export async function runJob(
  emu: Emulation,
  workflow: Workflow,
  jobId: string,
  opts: { matrix?: Record<string, unknown>; needs?: Record<string, unknown> } = {},
): Promise<JobResult> {
  const job = workflow.jobs[jobId];
  const started = Date.now();
  jobCount++;
  const state: JobState = {
    permissions: (job.permissions as Record<string, string> | undefined) ?? {},
    dir: join(emu.jobsDir, `job-${jobId}-${jobCount}`),
    temp: mkdtempSync(join(emu.jobsDir, `temp-${jobCount}-`)),
    env: {},
    path: [...emu.path],
    steps: {},
    summary: '',
    succeeded: true,
  };
  const ctx = () => contextsFor(emu, state, opts.matrix, opts.needs);
  const baseEnv = {
    HOME: process.env.HOME ?? '/root',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: String(emu.github.repository),
    GITHUB_SHA: String(emu.github.sha),
    GITHUB_REF: String(emu.github.ref),
    GITHUB_REF_NAME: String(emu.github.ref_name),
    GITHUB_REF_TYPE: 'branch',
    GITHUB_EVENT_NAME: String(emu.github.event_name),
    GITHUB_WORKSPACE: state.dir,
    RUNNER_TEMP: state.temp,
  };
  state.env = { ...baseEnv };
  // A job whose first step is not a checkout still has its workspace folder, as on a runner.
  mkdirSync(state.dir, { recursive: true });
  for (const [k, v] of Object.entries({ ...workflow.env, ...job.env }))
    state.env[k] = interpolate(String(v), ctx(), hooksFor(state));
  Object.assign(state.env, emu.envOverride);
  for (const step of job.steps) {
    if (!condition(step.if, ctx(), hooksFor(state))) continue;
    const stepStarted = Date.now();
    const outputs = step.uses ? await usesStep(emu, state, step, ctx()) : await runStep(emu, state, step, ctx());
    emu.record.push(`step ${jobId}: ${step.name}: ${((Date.now() - stepStarted) / 1000).toFixed(1)} s`);
    if (step.id) state.steps[step.id] = { outputs, outcome: 'success' };
  }
  const outputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(job.outputs ?? {})) outputs[k] = interpolate(v, ctx(), hooksFor(state));
  emu.record.push(`job ${jobId} ${JSON.stringify(opts.matrix ?? {})}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { outputs, summary: state.summary, dir: state.dir };
}

/** A job's matrix entries (its strategy.matrix evaluated), or one run without a matrix. */
export function matrixOf(
  emu: Emulation,
  workflow: Workflow,
  jobId: string,
  needs: Record<string, unknown>,
): Array<Record<string, unknown> | undefined> {
  const strategy = workflow.jobs[jobId].strategy as { matrix?: unknown } | undefined;
  if (!strategy?.matrix) return [undefined];
  const hooks = { succeeded: true, hashFiles: () => '' };
  const matrix = evaluateValue(strategy.matrix, { needs, github: emu.github, inputs: emu.inputs }, hooks) as {
    include?: Array<Record<string, unknown>>;
  };
  return matrix.include ?? [];
}

/** Whether a job runs, from its `if:` with these needs. */
export function jobRuns(emu: Emulation, workflow: Workflow, jobId: string, needs: Record<string, unknown>): boolean {
  return condition(
    workflow.jobs[jobId].if,
    { needs, github: emu.github, inputs: emu.inputs },
    {
      succeeded: true,
      hashFiles: () => '',
    },
  );
}
