import { validateWorkflow } from '@action-validator/core';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generateDependabot } from './dependabot';
import { ACTIONS } from './pins';
import { RELEASE_PARSE_SCRIPT } from './release';
import { ISSUES_SCRIPT, RESCAN_SCRIPT } from './rescan';
import { policyViolations, runsTrivy } from './policy';
import { ciInput, schemaErrors, VARIANTS, type WorkflowJob as Job } from './test-support';
import { generateWorkflows, RELEASE_WORKFLOW, RESCAN_WORKFLOW } from './workflows';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lucid-ci-script-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a generated `run:` script with bash -e (as GitHub's default shell does) and stand-in commands on PATH. */
function runScript(script: string, env: Record<string, string>, stubs: Record<string, string>) {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const [name, body] of Object.entries(stubs)) {
    writeFileSync(join(bin, name), `#!/bin/bash\necho "$(basename "$0") $*" >> "${dir}/calls"\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  writeFileSync(join(dir, 'out'), '');
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd: dir,
    env: { PATH: `${bin}:/usr/bin:/bin`, GITHUB_OUTPUT: join(dir, 'out'), ...env },
    encoding: 'utf8',
  });
  const calls = existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n') : [];
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    calls,
    output: readFileSync(join(dir, 'out'), 'utf8'),
  };
}

describe('daily re-scan workflow', () => {
  const wf = () => parse(generateWorkflows(ciInput())[RESCAN_WORKFLOW]) as { on: any; jobs: Record<string, Job> };

  it('runs on a schedule, scans latest by reference with a fresh DB, and holds no push right anywhere', () => {
    const text = generateWorkflows(ciInput())[RESCAN_WORKFLOW];
    expect(validateWorkflow(text).errors).toEqual([]);
    const { on, jobs } = wf();
    expect(on.schedule).toEqual([{ cron: '17 4 * * *' }]);
    expect(jobs.scan.permissions).toEqual({ contents: 'read', packages: 'read' });
    expect(jobs.report.permissions).toEqual({ contents: 'read', issues: 'write', 'security-events': 'write' });
    expect(text).not.toMatch(/packages: write|container-push/);
    // Fresh DB: downloaded every run, never restored from the Actions cache.
    expect(jobs.scan.steps.some((s) => s.uses === ACTIONS.cache)).toBe(false);
    expect(jobs.scan.steps.find((s) => s.run?.startsWith('trivy image --download-db-only'))!.if).toBeUndefined();
    expect(jobs.scan.steps.find((s) => s.id === 'rescan')!.env).toMatchObject({
      REGISTRY: 'ghcr.io',
      IMAGE_REPOSITORY: 'hamigames/lucid',
      SCAN_TARGET: 'scan',
      SERVICES: '${{ matrix.projects }}',
    });
    // Services from the project graph at run time: the plan job's matrices, one report job per service.
    expect(jobs.scan.strategy!.matrix).toBe('${{ fromJSON(needs.plan.outputs.matrix) }}');
    expect(jobs.report.strategy!.matrix).toBe('${{ fromJSON(needs.plan.outputs.services) }}');
    expect(jobs.report.steps.filter((s) => s.uses === ACTIONS.uploadSarif).map((s) => s.with!.category)).toEqual([
      'published-${{ matrix.service }}',
    ]);
    // No repository configured: this workflow's own, never a name written in when generating.
    const own = parse(generateWorkflows(ciInput({ repository: undefined }))[RESCAN_WORKFLOW]) as {
      jobs: Record<string, Job>;
    };
    expect(own.jobs.scan.steps.find((s) => s.id === 'rescan')!.env!.IMAGE_REPOSITORY).toBe('${{ github.repository }}');
    expect(JSON.stringify(own)).not.toMatch(/hamigames/i);
  });

  it('the scan script runs `nx run <svc>:scan --imageRef=<registry>/<repo>/<svc>:latest` for every service and records each outcome', () => {
    const r = runScript(
      RESCAN_SCRIPT,
      {
        SERVICES: 'auth-service,redis',
        SCAN_TARGET: 'scan',
        NX: 'npx nx',
        REGISTRY: 'ghcr.io',
        IMAGE_REPOSITORY: 'HamiGames/Lucid',
      },
      {
        npx: 'case "$*" in *redis*) exit 1;; esac; exit 0',
      },
    );
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([
      'npx nx run auth-service:scan --imageRef=ghcr.io/hamigames/lucid/auth-service:latest --exclude-task-dependencies --skip-nx-cache',
      'npx nx run redis:scan --imageRef=ghcr.io/hamigames/lucid/redis:latest --exclude-task-dependencies --skip-nx-cache',
    ]);
    expect(readFileSync(join(dir, 'rescan-results', 'auth-service'), 'utf8').trim()).toBe('pass');
    expect(readFileSync(join(dir, 'rescan-results', 'redis'), 'utf8').trim()).toBe('fail');
    expect(r.output).toBe('failed=1\n');
  });

  it('the issue script creates an issue for a new failure, updates an open one, and closes the one of a service that passes again', () => {
    mkdirSync(join(dir, 'rescan-results'));
    mkdirSync(join(dir, 'dist/containers/redis/scan'), { recursive: true });
    writeFileSync(join(dir, 'rescan-results', 'redis'), 'fail\n');
    writeFileSync(join(dir, 'rescan-results', 'mongodb'), 'fail\n');
    writeFileSync(join(dir, 'rescan-results', 'auth-service'), 'pass\n');
    writeFileSync(join(dir, 'dist/containers/redis/scan/summary.md'), '| CVE-2026-1 | CRITICAL |\n');
    // Stand-in gh: mongodb has open issue 7, auth-service open issue 9, redis none.
    const gh = `if [ "$1 $2" = "issue list" ]; then
  case "$*" in *mongodb*) echo 7;; *auth-service*) echo 9;; esac
fi
if [ "$1 $2" = "issue create" ] || [ "$1 $2" = "issue edit" ]; then cp body.md "body-$3-$RANDOM.md" 2>/dev/null; cat body.md >> bodies; fi
exit 0`;
    // One report job per service.
    const runs = ['redis', 'mongodb', 'auth-service', 'web'].map((SERVICE) =>
      runScript(
        ISSUES_SCRIPT,
        {
          SERVICE,
          OUTPUT_ROOT: 'dist/containers',
          REGISTRY: 'ghcr.io',
          IMAGE_REPOSITORY: 'HamiGames/Lucid',
          RUN_URL: 'https://example/run/1',
        },
        { gh },
      ),
    );
    expect(runs.map((r) => r.status)).toEqual([0, 0, 0, 0]);
    const calls = runs.at(-1)!.calls.filter((c) => !c.startsWith('gh issue list') && !c.startsWith('gh label'));
    expect(runs.at(-1)!.calls[0]).toMatch(/^gh label create lucid-rescan /);
    expect(calls).toHaveLength(4);
    expect(calls).toContain(
      'gh issue close 9 --comment Passes the gate again on ' +
        new Date().toISOString().slice(0, 10) +
        ': https://example/run/1',
    );
    expect(calls).toContain('gh issue edit 7 --body-file body.md');
    expect(calls).toContain(
      'gh issue create --title Published image redis:latest fails the scan gate --label lucid-rescan --body-file body.md',
    );
    const bodies = readFileSync(join(dir, 'bodies'), 'utf8');
    expect(bodies).toContain('| CVE-2026-1 | CRITICAL |');
    expect(bodies).toContain('`ghcr.io/hamigames/lucid/redis:latest`');
    expect(bodies).toContain('The scan itself failed'); // mongodb has no summary
  });
});

describe('release workflow', () => {
  it.each(VARIANTS.map((v) => [JSON.stringify(v), v]))(
    '%s: on <project>@<version> tags, that project built, scanned (read-only) and published by nx release publish (packages: write, no Trivy)',
    (_l, variant) => {
      const text = generateWorkflows(ciInput(variant))[RELEASE_WORKFLOW];
      expect(schemaErrors(text)).toEqual([]);
      const wf = parse(text) as { on: unknown; jobs: Record<string, Job & { strategy?: unknown }> };
      expect(policyViolations(wf)).toEqual([]);
      expect(wf.on).toEqual({ push: { tags: ['*@[0-9]+.[0-9]+.[0-9]+', '*@[0-9]+.[0-9]+.[0-9]+-*'] } });
      expect(Object.keys(wf.jobs)).toEqual(['plan', 'build', 'scan', 'push', 'attest', 'publish']);
      const { build, scan, push, publish, attest } = wf.jobs;
      expect([build.needs, scan.needs, push.needs, attest.needs, publish.needs]).toEqual([
        ['plan'],
        ['plan', 'build'],
        ['plan', 'scan'],
        ['plan', 'push'],
        ['plan', 'push', 'attest'],
      ]);
      // Pushed by digest first, without the version tag, so the digest is signed before any version names it.
      expect(push.steps.find((s) => s.run?.includes('container-push'))?.run).toContain('--versionTag=false');
      expect(push.permissions).toEqual({ contents: 'read', packages: 'write' });
      expect(runsTrivy(push)).toBe(false);
      expect(build.steps.map((s) => s.run ?? '').join('\n')).toContain(
        'npx --no-install nx run-many -t container-build --projects="$PROJECTS"',
      );
      expect(build.steps.find((s) => s.run?.includes('container-build'))?.env?.PROJECTS).toBe(
        '${{ needs.plan.outputs.project }}',
      );
      expect(runsTrivy(scan)).toBe(true);
      expect(scan.permissions).toEqual({ contents: 'read' });
      // The job that installs and runs the workspace's code can push but never mint an OIDC token.
      expect(publish.permissions).toEqual({ contents: 'read', packages: 'write' });
      // The published digest is signed in a job of its own: provenance and SBOM (attest.ts).
      expect(attest.permissions).toEqual({
        contents: 'read',
        'id-token': 'write',
        attestations: 'write',
        packages: 'write',
      });
      expect(attest.steps.slice(-4).map((s) => s.uses?.split('@')[0] ?? s.id)).toEqual([
        'subject',
        'docker/login-action',
        'actions/attest-build-provenance',
        'actions/attest-sbom',
      ]);
      expect(attest.steps.some((s) => /\bnpm\s+(ci|install)\b|\bnpx\s|\bpnpm\b|\byarn\b/.test(s.run ?? ''))).toBe(
        false,
      );
      expect(runsTrivy(attest)).toBe(false);
      expect(runsTrivy(publish)).toBe(false);
      expect(publish.strategy).toBeUndefined();
      // Two version pushes of one service never run at once (queued per service, never cancelled mid-push).
      expect((publish as { concurrency?: unknown }).concurrency).toEqual({
        group: 'container-publish-${{ needs.plan.outputs.project }}',
        'cancel-in-progress': false,
      });
      // A tag push has no workflow_dispatch inputs.
      expect(text).not.toMatch(/inputs\./);
      const ghcr = (variant.registry ?? 'ghcr.io') === 'ghcr.io';
      expect(publish.steps.at(-1)).toEqual({
        name: expect.stringContaining('nx-release-publish'),
        run: 'npx --no-install nx release publish --projects="$PROJECT" --verbose',
        env: {
          PROJECT: '${{ needs.plan.outputs.project }}',
          // ghcr.io gets the job's token; any other registry its LUCID_REGISTRY_<HOST>_* pair (the push executor's form).
          ...(ghcr
            ? { GHCR_TOKEN: '${{ secrets.GITHUB_TOKEN }}' }
            : {
                LUCID_REGISTRY_REGISTRY_EXAMPLE_COM_USERNAME: '${{ secrets.LUCID_REGISTRY_USERNAME }}',
                LUCID_REGISTRY_REGISTRY_EXAMPLE_COM_PASSWORD: '${{ secrets.LUCID_REGISTRY_PASSWORD }}',
              }),
        },
      });
      // The publish job builds nothing and runs no scan: it restores this run's build outputs.
      expect(publish.steps.some((s) => /container-build|run-many/.test(s.run ?? ''))).toBe(false);
      expect(publish.steps.some((s) => s.uses === ACTIONS.cacheRestore)).toBe(true);
      if (variant.arm64 === 'native') {
        expect(publish.steps.some((s) => s.run?.includes('merge-platforms'))).toBe(true);
      }
    },
  );

  it.each([
    ['auth-service@1.2.0', 0, 'project=auth-service\nversion=1.2.0\n'],
    ['tron-client@2.0.0-rc.1', 0, 'project=tron-client\nversion=2.0.0-rc.1\n'],
    ['unknown-service@1.0.0', 1, ''],
    ['auth-service@1.2', 1, ''],
    ['$(touch pwned)@1.0.0', 1, ''],
    ['a;b@1.0.0', 1, ''],
  ])('tag %s → exit %i', (tag, status, output) => {
    // The projects with the build target come from the project graph at run time (a stand-in nx lists them).
    const r = runScript(
      RELEASE_PARSE_SCRIPT,
      { TAG: tag, BUILD_TARGET: 'container-build', NX: 'nx' },
      {
        nx: '[ "$*" = "show projects --with-target container-build" ] && printf "auth-service\\nredis\\ntron-client\\n"',
      },
    );
    expect([r.status, r.output]).toEqual([status, output]);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });
});

describe('dependabot config', () => {
  it('a github-actions entry; other ecosystems already there are kept; a broken file is refused', () => {
    const fresh = parse(generateDependabot()) as { version: number; updates: Array<Record<string, unknown>> };
    expect(fresh.version).toBe(2);
    expect(fresh.updates).toEqual([
      expect.objectContaining({
        'package-ecosystem': 'github-actions',
        directory: '/',
        schedule: { interval: 'weekly' },
      }),
    ]);
    const existing =
      'version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule: { interval: daily }\n  - package-ecosystem: github-actions\n    directory: /old\n';
    const merged = parse(generateDependabot(existing)) as typeof fresh;
    expect(merged.updates.map((u) => [u['package-ecosystem'], u.directory])).toEqual([
      ['github-actions', '/'],
      ['npm', '/'],
    ]);
    expect(generateDependabot(generateDependabot(existing))).toBe(generateDependabot(existing));
    expect(() => generateDependabot('version: 1\n')).toThrow(/version 2 Dependabot config/);
  });
});
