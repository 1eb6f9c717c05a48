import { parse } from 'yaml';
import { ACTIONS } from './pins';
import { policyViolations, runsTrivy } from './policy';
import { ciInput } from './test-support';
import { CONTAINERS_WORKFLOW, generateWorkflows, PRUNE_WORKFLOW, RESCAN_WORKFLOW } from './workflows';

type Step = { uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown> };
type Wf = {
  env: Record<string, string>;
  jobs: Record<string, { permissions?: Record<string, string>; steps: Step[] }>;
};

const fresh = (file = CONTAINERS_WORKFLOW): Wf => parse(generateWorkflows(ciInput())[file]);
const attestStep = (wf: Wf, uses: string) => wf.jobs.attest.steps.find((s) => s.uses === uses)!;

describe('workflow rules (the walker the generator and the committed-file specs use)', () => {
  it('only the attest job holds id-token and attestations: write, and it runs no Trivy', () => {
    const wf = fresh();
    const signing = Object.keys(wf.jobs).filter((id) =>
      ['id-token', 'attestations'].some((k) => wf.jobs[id].permissions?.[k] === 'write'),
    );
    expect(signing).toEqual(['attest']);
    expect(runsTrivy(wf.jobs.attest as never)).toBe(false);
  });

  it('finds the Trivy jobs: the scan jobs and the re-scan job, not build, push or report', () => {
    const wf = fresh();
    expect(Object.keys(wf.jobs).filter((id) => runsTrivy(wf.jobs[id] as never))).toEqual(['scan']);
    const rescan = fresh(RESCAN_WORKFLOW);
    expect(Object.keys(rescan.jobs).filter((id) => runsTrivy(rescan.jobs[id] as never))).toEqual(['scan']);
  });

  it.each<[string, (wf: Wf) => void, RegExp]>([
    [
      'packages: write in the scan job',
      (wf) => (wf.jobs.scan.permissions!.packages = 'write'),
      /scan: packages: write in a job that runs Trivy/,
    ],
    [
      'security-events: write in the scan job',
      (wf) => (wf.jobs.scan.permissions!['security-events'] = 'write'),
      /scan: runs Trivy with write permissions \(security-events\)/,
    ],
    [
      'GITHUB_TOKEN in a scan step env',
      (wf) => (wf.jobs.scan.steps.at(-3)!.env = { GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}' }),
      /scan: runs Trivy with a token in its environment \(GITHUB_TOKEN\)/,
    ],
    [
      'github.token in the workflow env',
      (wf) => (wf.env.X = '${{ github.token }}'),
      /scan: runs Trivy with a token in its environment \(X\)/,
    ],
    [
      'ACTIONS_RUNTIME_TOKEN exported into the scan job',
      (wf) => wf.jobs.scan.steps.splice(1, 0, { uses: ACTIONS.githubRuntime }),
      /scan step 2: exports ACTIONS_RUNTIME_TOKEN/,
    ],
    [
      'a write cache token in the scan job',
      (wf) => (wf.jobs.scan.steps.at(-3)!.env = { T: '${{ secrets.NX_CACHE_READ_WRITE_TOKEN }}' }),
      /token in its environment \(T\)/,
    ],
    [
      'a checkout that keeps its token',
      (wf) => delete wf.jobs.scan.steps[0].with!['persist-credentials'],
      /scan step 1: checkout keeps the token/,
    ],
    [
      'setup-trivy at latest',
      (wf) => (wf.jobs.scan.steps.find((s) => s.uses === ACTIONS.setupTrivy)!.with!.version = 'latest'),
      /explicit version, not "latest"/,
    ],
    [
      'setup-trivy at a compromised Trivy',
      (wf) => (wf.jobs.scan.steps.find((s) => s.uses === ACTIONS.setupTrivy)!.with!.version = 'v0.69.4'),
      /Trivy v0.69.4 is a compromised release/,
    ],
    [
      'setup-trivy by tag',
      (wf) => (wf.jobs.scan.steps.find((s) => s.uses === ACTIONS.setupTrivy)!.uses = 'aquasecurity/setup-trivy@v0.2.3'),
      /not pinned by a full 40-hex commit SHA/,
    ],
    [
      'packages: write on a job that does not push',
      (wf) => (wf.jobs.build.permissions!.packages = 'write'),
      /build: packages: write in a job that does not push/,
    ],
    [
      'Trivy run inside the push job',
      (wf) => wf.jobs.push.steps.push({ run: 'trivy image --input x' }),
      /push: packages: write in a job that runs Trivy/,
    ],
    [
      'id-token: write on the build job',
      (wf) => (wf.jobs.build.permissions!['id-token'] = 'write'),
      /build: id-token: write in a job that signs nothing/,
    ],
    [
      'attestations: write on the push job',
      (wf) => (wf.jobs.push.permissions!.attestations = 'write'),
      /push: attestations: write in a job that signs nothing/,
    ],
    [
      'Trivy run inside the attest job',
      (wf) => wf.jobs.attest.steps.push({ run: 'trivy image --input x' }),
      /attest: id-token: write in a job that runs Trivy/,
    ],
    [
      'an attestation kept out of the registry',
      (wf) => (attestStep(wf, ACTIONS.attestSbom).with!['push-to-registry'] = false),
      /attest step \d+: attestation not pushed to the registry/,
    ],
    [
      'an attestation of a file path instead of the pushed image',
      (wf) => {
        const w = attestStep(wf, ACTIONS.attestProvenance).with!;
        delete w['subject-digest'];
        w['subject-path'] = 'dist/containers/*/push.json';
      },
      /attest step \d+: the subject must be subject-name \+ subject-digest/,
    ],
    [
      'the attest job without id-token: write',
      (wf) => delete wf.jobs.attest.permissions!['id-token'],
      /attest step \d+: signs without id-token: write/,
    ],
    [
      'a push workflow that signs no SBOM',
      (wf) => (wf.jobs.attest.steps = wf.jobs.attest.steps.filter((s) => s.uses !== ACTIONS.attestSbom)),
      /pushes images but never runs actions\/attest-sbom/,
    ],
    [
      'a job without its own permissions',
      (wf) => delete wf.jobs.report.permissions,
      /report: no job-level permissions/,
    ],
  ])('catches %s', (_label, mangle, message) => {
    const wf = fresh();
    expect(policyViolations(wf as never)).toEqual([]);
    mangle(wf);
    expect(policyViolations(wf as never).join('\n')).toMatch(message);
  });
});

describe('containers-prune.yml: least privilege', () => {
  const prune = (): Wf & { on: Record<string, unknown>; jobs: Record<string, { if?: string }> } =>
    parse(generateWorkflows(ciInput())[PRUNE_WORKFLOW]);

  it('packages: write only in the job that runs `lucid prune` for real, never on a pull request', () => {
    const wf = prune();
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'schedule', 'workflow_dispatch']);
    const writers = Object.entries(wf.jobs).filter(([, j]) => j.permissions?.packages === 'write');
    expect(writers.map(([id]) => id)).toEqual(['prune']);
    expect(wf.jobs.prune.if).toBe("github.event_name != 'pull_request'");
    expect(wf.jobs['dry-run'].steps.map((s) => s.run).filter(Boolean)).toContain(
      'npx --no-install lucid prune --dry-run',
    );
    expect(policyViolations(wf as never)).toEqual([]);
  });

  it('on a pull request the dry-run job (the code of the pull request) gets no registry secret, only the read-only token', () => {
    for (const input of [ciInput(), ciInput({ registry: 'registry.example.com' })]) {
      const wf = parse(generateWorkflows(input)[PRUNE_WORKFLOW]) as Wf;
      const env = wf.jobs['dry-run'].steps.flatMap((s) => Object.values((s as { env?: object }).env ?? {}));
      expect(env.length).toBeGreaterThan(0);
      for (const value of env as string[]) {
        if (value.includes('secrets.GITHUB_TOKEN')) continue;
        expect(value).toMatch(/^\$\{\{ github\.event_name != 'pull_request' && secrets\.[A-Z0-9_]+ \|\| '' \}\}$/);
      }
    }
  });

  it('packages: write on the dry-run job is refused', () => {
    const wf = prune();
    wf.jobs['dry-run'].permissions!.packages = 'write';
    expect(policyViolations(wf as never).join('\n')).toMatch(
      /dry-run: packages: write in a job that does not push or prune/,
    );
  });
});
