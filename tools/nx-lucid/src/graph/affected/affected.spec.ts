import { AffectedGraph, containerAffected, fromNxGraph } from './affected';

const build = (inputs: unknown[]) => ({ 'container-build': { inputs: inputs as string[] } });
const NEG = [
  '!{workspaceRoot}/**/*.md',
  '!{workspaceRoot}/**/*.md/**',
  '!{workspaceRoot}/**/tests',
  '!{workspaceRoot}/**/tests/**',
];

const graph: AffectedGraph = {
  projects: {
    common: { root: 'libs/common' },
    tron: { root: 'libs/tron' },
    api: {
      root: 'apps/api',
      targets: build([
        '{workspaceRoot}/apps/api/Dockerfile',
        '{workspaceRoot}/apps/api/src/**/*',
        '{workspaceRoot}/libs/common/src/**/*',
        ...NEG,
        { env: 'LUCID_REGISTRY' },
      ]),
    },
    wallet: {
      root: 'apps/wallet',
      targets: build([
        '{workspaceRoot}/apps/wallet/Dockerfile',
        '{workspaceRoot}/apps/wallet/src/**/*',
        '{workspaceRoot}/libs/tron/src/**/*',
        '{workspaceRoot}/libs/common/src/**/*',
        ...NEG,
      ]),
    },
    // Built FROM wallet's image.
    payout: {
      root: 'apps/payout',
      targets: build(['{projectRoot}/Dockerfile', { fileset: '{projectRoot}/src/**/*' }]),
    },
    // Uses a named input.
    docs: {
      root: 'apps/docs',
      namedInputs: { mine: ['{projectRoot}/site/**/*', '!{projectRoot}/site/drafts/**'] },
      targets: build(['mine']),
    },
  },
  dependencies: { api: ['common'], wallet: ['common', 'tron'], payout: ['wallet'], docs: [] },
};

const names = (changedFiles: string[], extra: Partial<Parameters<typeof containerAffected>[0]> = {}) =>
  containerAffected({ changedFiles, graph, ...extra }).map((a) => a.name);

describe('containerAffected', () => {
  it('a lib source change affects exactly the services that COPY it, and their dependents', () => {
    expect(names(['libs/tron/src/tron/address.py'])).toEqual(['payout', 'wallet']);
    expect(names(['libs/common/src/common/__init__.py'])).toEqual(['api', 'payout', 'wallet']);
  });
  it('README, tests and ignored files inside a service or lib affect nothing', () => {
    expect(
      names([
        'apps/api/README.md',
        'apps/api/src/README.md',
        'apps/api/tests/test_x.py',
        'libs/common/tests/test_y.py',
        'libs/tron/README.md',
      ]),
    ).toEqual([]);
  });
  it('a Dockerfile change affects only that service (and what is built FROM it)', () => {
    expect(names(['apps/api/Dockerfile'])).toEqual(['api']);
    expect(names(['apps/payout/Dockerfile'])).toEqual(['payout']);
  });
  it('files outside every input affect nothing; nx.json (plugin options) affects every container', () => {
    expect(names(['tools/x.ts', 'package-lock.json'])).toEqual([]);
    expect(names(['nx.json'])).toEqual(['api', 'docs', 'payout', 'wallet']);
  });
  it('expands named inputs and honours their negations', () => {
    expect(names(['apps/docs/site/index.html'])).toEqual(['docs']);
    expect(names(['apps/docs/site/drafts/wip.html'])).toEqual([]);
  });
  it('says why each project is affected', () => {
    expect(containerAffected({ changedFiles: ['libs/tron/src/a.py', 'apps/wallet/README.md'], graph })).toEqual([
      { name: 'payout', reason: { dependency: 'wallet' } },
      { name: 'wallet', reason: { files: ['libs/tron/src/a.py'] } },
    ]);
  });
  it('nothing changed, nothing affected', () => expect(names([])).toEqual([]));
});

describe('fromNxGraph', () => {
  it('keeps project data and dependency targets that are projects (not npm: nodes)', () => {
    const g = fromNxGraph({
      nodes: { a: { data: { root: 'apps/a' } }, b: { data: { root: 'libs/b' } } },
      dependencies: { a: [{ target: 'b' }, { target: 'npm:zod' }], b: [] },
    });
    expect(g.dependencies).toEqual({ a: ['b'], b: [] });
    expect(g.projects.a.root).toBe('apps/a');
  });
});

describe('containerAffected: lockfile changes', () => {
  const lockGraph: AffectedGraph = {
    projects: {
      exact: {
        root: 'apps/exact',
        targets: build(['{projectRoot}/Dockerfile', { externalDependencies: ['dockerfile-ast'] }]),
      },
      everything: { root: 'apps/everything', targets: build(['{projectRoot}/Dockerfile']) },
    },
    dependencies: {},
  };
  const { readLockfile } = jest.requireActual('./lockfile') as typeof import('./lockfile');
  const lock = (types: string, vls: string) =>
    readLockfile(
      JSON.stringify({
        lockfileVersion: 3,
        packages: {
          'node_modules/dockerfile-ast': { version: '0.7.1', dependencies: { 'vscode-languageserver-types': '^3' } },
          'node_modules/vscode-languageserver-types': { version: vls },
          'node_modules/@types/semver': { version: types },
        },
      }),
    );
  const run = (after: ReturnType<typeof lock>) =>
    containerAffected({
      changedFiles: ['package-lock.json'],
      graph: lockGraph,
      lockfile: { file: 'package-lock.json', before: lock('7.8.0', '3.17.0'), after },
    });
  it('an unrelated bump affects only targets that hash every external dependency', () => {
    expect(run(lock('7.8.1', '3.17.0'))).toEqual([{ name: 'everything', reason: { packages: ['@types/semver'] } }]);
  });
  it('a transitive dependency of an externalDependencies input affects that target', () => {
    expect(run(lock('7.8.0', '3.17.5')).map((a) => a.name)).toEqual(['everything', 'exact']);
  });
});

describe('dependents follow what a build waits for', () => {
  it('an explicit dependsOn list (waitForCopiedProjects: false) propagates only through the projects it names', () => {
    const target = (dependsOn: unknown[]) => ({ 'container-build': { inputs: ['{projectRoot}/**/*'], dependsOn } });
    const graph = {
      projects: {
        base: { root: 'base', targets: target([]) },
        reader: { root: 'reader', targets: target([{ target: 'container-build', projects: ['base'] }]) },
        copier: { root: 'copier', targets: target([]) },
        waiter: { root: 'waiter', targets: target(['^container-build']) },
      },
      dependencies: { base: [], reader: ['base'], copier: ['base'], waiter: ['base'] },
    };
    const names = containerAffected({ changedFiles: ['base/x.py'], graph }).map((a) => a.name);
    expect(names).toEqual(['base', 'reader', 'waiter']);
  });
});
