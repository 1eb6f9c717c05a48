import { logger } from '@nx/devkit';
import type { CreateDependenciesContext, CreateNodesContext, ProjectConfiguration } from '@nx/devkit';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createDependencies, projectsForPath } from './create-dependencies';
import { createNodes } from './create-nodes';
import { ENV_OVERRIDES } from '../config/resolve';
import { ARTIFACTS } from '../artifacts/artifacts';

const OPTIONS = { registry: 'ghcr.io', repository: 'hamigames/lucid' };

/** A small workspace on disk: two services reading libs, one FROM another's image, one broken. */
const FILES: Record<string, string> = {
  'libs/common/project.json': '{"name":"common"}',
  'libs/common/src/common/__init__.py': '',
  'libs/tron/project.json': '{"name":"tron"}',
  'libs/tron/src/tron/__init__.py': '',
  'apps/api/project.json': '{"name":"api","tags":["phase:1"]}',
  'apps/api/Dockerfile':
    'FROM scratch AS a\nCOPY libs/common/src/ /lib/\nCOPY apps/api/src /svc/\nFROM gcr.io/distroless/python3-debian12:nonroot\nCOPY --from=a /lib /lib\n',
  'apps/api/Dockerfile.dockerignore': '**/*.md\n**/tests\n',
  'apps/wallet/project.json': '{"name":"wallet"}',
  'apps/wallet/Dockerfile':
    'FROM ghcr.io/hamigames/lucid/api:1.2.3\nCOPY ["libs/tron/src", "libs/common/src", "/lib/"]\nCOPY apps/wallet/src /svc\n',
  'apps/globby/project.json': '{"name":"globby"}',
  'apps/globby/Dockerfile': 'FROM scratch\nCOPY libs/*/src /lib/\n',
  'apps/bad/project.json': '{"name":"bad"}',
  'apps/bad/Dockerfile': 'FROM alpine\r\nRUN true\r\nCOPY only-one\r\n',
  'node_modules/pkg/Dockerfile': 'FROM nothing-to-see\n',
};

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lucid-graph-'));
  for (const [file, content] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const dockerfiles = Object.keys(FILES).filter((f) => f.endsWith('/Dockerfile'));

async function nodes() {
  const context: CreateNodesContext = { nxJsonConfiguration: {}, workspaceRoot: root };
  const results = await createNodes[1](dockerfiles, OPTIONS, context);
  return Object.fromEntries(results.map(([file, r]) => [file, r.projects!]));
}

describe('createNodes', () => {
  it('infers container targets for every Dockerfile project, outside node_modules', async () => {
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      const byFile = await nodes();
      expect(Object.keys(byFile).sort()).toEqual([
        'apps/api/Dockerfile',
        'apps/bad/Dockerfile',
        'apps/globby/Dockerfile',
        'apps/wallet/Dockerfile',
      ]);
      const api = byFile['apps/api/Dockerfile']['apps/api'];
      expect(Object.keys(api.targets!).sort()).toEqual([
        'container-build',
        'container-push',
        'container-release',
        'container-verify',
        'nx-release-publish',
        'scan',
      ]);
      const build = api.targets!['container-build'];
      expect(build.inputs!.filter((i) => typeof i === 'string')).toEqual([
        '{workspaceRoot}/apps/api/Dockerfile',
        '{workspaceRoot}/apps/api/Dockerfile.dockerignore',
        // apps/api/src is not on disk here (file or folder unknown: both); libs/common/src is a folder.
        '{workspaceRoot}/apps/api/src',
        '{workspaceRoot}/apps/api/src/**/*',
        '{workspaceRoot}/libs/common/src/**/*',
        '!{workspaceRoot}/**/*.md',
        '!{workspaceRoot}/**/*.md/**',
        '!{workspaceRoot}/**/tests',
        '!{workspaceRoot}/**/tests/**',
      ]);
      expect(build.outputs).toEqual([
        '{workspaceRoot}/dist/containers/api/oci',
        '{workspaceRoot}/dist/containers/api/metadata.json',
      ]);
      // The scan's outputs, cached and restored with it: the reports, gate.json and the SBOM (scan/sbom.cdx.json).
      expect(api.targets!.scan.outputs).toEqual(['{workspaceRoot}/dist/containers/api/scan']);
      expect(`dist/containers/api/${ARTIFACTS.sbom.file}`.startsWith('dist/containers/api/scan/')).toBe(true);
      expect(build.options.dockerfileError).toBeUndefined();
      // verify hashes the one override it reads (src/verify/verify-build-output.spec.ts holds it to that); the
      // build hashes them all.
      const envOf = (target: string) =>
        api.targets![target].inputs!.flatMap((i) => (typeof i === 'object' && 'env' in i ? [i.env] : []));
      expect(envOf('container-verify')).toEqual(['LUCID_PLATFORMS', 'LUCID_REPOSITORY']);
      // Every LUCID_* override, and NX_DRY_RUN (nx release --dry-run's builds only plan: never under a real key).
      expect(envOf('container-build')).toEqual([...Object.values(ENV_OVERRIDES), 'NX_DRY_RUN']);
      // JSON-form COPY of two libs
      const wallet = byFile['apps/wallet/Dockerfile']['apps/wallet'].targets!['container-build'];
      expect(wallet.inputs).toEqual(
        expect.arrayContaining(['{workspaceRoot}/libs/tron/src/**/*', '{workspaceRoot}/libs/common/src/**/*']),
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('a malformed Dockerfile gives a warning and a project whose build carries the file:line error; the others are unharmed', async () => {
    const warnings: string[] = [];
    const warn = jest.spyOn(logger, 'warn').mockImplementation((m: unknown) => void warnings.push(String(m)));
    try {
      const byFile = await nodes();
      expect(warnings).toEqual([
        '@lucid/nx-lucid: apps/bad/Dockerfile:3: COPY needs at least one source and a destination',
      ]);
      const bad = byFile['apps/bad/Dockerfile']['apps/bad'].targets!['container-build'];
      expect(bad.options.dockerfileError).toBe(
        'apps/bad/Dockerfile:3: COPY needs at least one source and a destination',
      );
      // A broken project is rebuilt (and fails again) whenever anything in it changes.
      expect(bad.inputs).toContain('{projectRoot}/**/*');
      expect(
        byFile['apps/api/Dockerfile']['apps/api'].targets!['container-build'].options.dockerfileError,
      ).toBeUndefined();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('createDependencies', () => {
  it('adds a static dependency for each COPY source in another project and each FROM of another project image', async () => {
    const projects: Record<string, ProjectConfiguration> = {
      common: { root: 'libs/common' },
      tron: { root: 'libs/tron' },
      api: { root: 'apps/api' },
      wallet: { root: 'apps/wallet' },
      globby: { root: 'apps/globby' },
      bad: { root: 'apps/bad' },
    };
    const context = {
      projects,
      workspaceRoot: root,
      nxJsonConfiguration: {},
      externalNodes: {},
      fileMap: { projectFileMap: {}, nonProjectFiles: [] },
      filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
    } as unknown as CreateDependenciesContext;
    const deps = await createDependencies(OPTIONS, context);
    const edges = deps.map((d) => `${d.source}->${d.target}:${d.type}:${'sourceFile' in d ? d.sourceFile : ''}`).sort();
    expect(edges).toEqual([
      'api->common:static:apps/api/Dockerfile',
      'globby->common:static:apps/globby/Dockerfile',
      'globby->tron:static:apps/globby/Dockerfile',
      'wallet->api:static:apps/wallet/Dockerfile',
      'wallet->common:static:apps/wallet/Dockerfile',
      'wallet->tron:static:apps/wallet/Dockerfile',
    ]);
  });
});

describe('projectsForPath', () => {
  const roots = [
    { name: 'a', root: 'apps/a' },
    { name: 'a-sub', root: 'apps/a/sub' },
    { name: 'lib', root: 'libs/lib' },
    { name: 'rootproj', root: '.' },
  ];
  it('a file belongs to its deepest project', () =>
    expect(projectsForPath('apps/a/sub/x.py', roots)).toEqual(['a-sub']));
  it('a folder reads every project below it', () => expect(projectsForPath('apps', roots)).toEqual(['a', 'a-sub']));
  it('the whole context reads every project but the root one', () =>
    expect(projectsForPath('.', roots)).toEqual(['a', 'a-sub', 'lib']));
  it('a glob reads the projects it can reach', () => expect(projectsForPath('libs/*/src', roots)).toEqual(['lib']));
  it('a path outside every project reads none', () => expect(projectsForPath('tools/x.sh', roots)).toEqual([]));
});
