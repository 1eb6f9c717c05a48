import { parse } from 'yaml';
import { detectPackageManager, installCommand, packageManagerSetup } from './package-manager';
import { ciInput, type WorkflowJob as Job } from './test-support';
import { CONTAINERS_WORKFLOW, generateWorkflows } from './workflows';

const has =
  (...files: string[]) =>
  (f: string) =>
    files.includes(f);

describe('package manager from the lockfile', () => {
  it('pnpm-lock.yaml, yarn.lock, package-lock.json; packageManager gives the version', () => {
    expect(detectPackageManager(has('pnpm-lock.yaml'), {})).toEqual({ name: 'pnpm' });
    expect(detectPackageManager(has('yarn.lock'), null)).toEqual({ name: 'yarn' });
    expect(detectPackageManager(has('package-lock.json'), {})).toEqual({ name: 'npm' });
    expect(detectPackageManager(has(), {})).toEqual({ name: 'npm' });
    expect(detectPackageManager(has('pnpm-lock.yaml'), { packageManager: 'pnpm@10.34.9+sha512.abc' })).toEqual({
      name: 'pnpm',
      version: '10.34.9',
    });
  });

  it('refuses a packageManager that is malformed or disagrees with the lockfile, naming both', () => {
    expect(() => detectPackageManager(has('yarn.lock'), { packageManager: 'pnpm@10.0.0' })).toThrow(
      /names pnpm@10.0.0 as its packageManager but the lockfile is yarn.lock/,
    );
    expect(() => detectPackageManager(has(), { packageManager: 'bun@1' })).toThrow(/is not npm@<version>/);
  });

  it('install commands and the steps before setup-node', () => {
    expect(installCommand({ name: 'npm' })).toBe('npm ci');
    expect(installCommand({ name: 'pnpm' })).toBe('pnpm install --frozen-lockfile');
    expect(installCommand({ name: 'yarn', version: '1.22.22' })).toBe('yarn install --frozen-lockfile');
    expect(installCommand({ name: 'yarn', version: '4.5.0' })).toBe('yarn install --immutable');
    expect(packageManagerSetup({ name: 'npm' })).toEqual([]);
    expect(packageManagerSetup({ name: 'pnpm', version: '10.34.9' })).toEqual([
      { name: 'pnpm 10.34.9', run: 'npm install --global pnpm@10.34.9' },
    ]);
  });

  it('a pnpm workspace gets pnpm before setup-node (cache: pnpm), a frozen install and `pnpm exec` everywhere', () => {
    const text = generateWorkflows(ciInput({ packageManager: { name: 'pnpm', version: '10.34.9' } }))[
      CONTAINERS_WORKFLOW
    ];
    const build = (parse(text) as { jobs: Record<string, Job> }).jobs.build;
    const names = build.steps.map((s) => s.name);
    expect(names.indexOf('pnpm 10.34.9')).toBeLessThan(names.indexOf('Set up Node'));
    expect(build.steps.find((s) => s.name === 'Set up Node')!.with).toEqual({ 'node-version': '20', cache: 'pnpm' });
    expect(build.steps.find((s) => s.name === 'Install dependencies')!.run).toBe('pnpm install --frozen-lockfile');
    expect(text).not.toMatch(/npm ci|npx|npm run/);
    expect(text).toContain('pnpm exec lucid affected --base="$NX_BASE"');
  });
});
