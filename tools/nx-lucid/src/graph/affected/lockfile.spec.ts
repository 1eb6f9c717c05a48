import { changedPackages, dependencyClosure, readLockfile } from './lockfile';

const lock = (packages: Record<string, object>) =>
  JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'ws' }, ...packages } });
/** The packages of the base lockfile; a spec changes one entry over it. */
const PACKAGES = {
  'node_modules/zod': { version: '4.0.0', integrity: 'sha512-a' },
  'node_modules/dockerfile-ast': {
    version: '0.7.1',
    integrity: 'sha512-b',
    dependencies: { 'vscode-languageserver-types': '^3' },
  },
  'node_modules/vscode-languageserver-types': { version: '3.17.0', integrity: 'sha512-c' },
  'node_modules/@types/semver': { version: '7.8.0', integrity: 'sha512-d' },
  'node_modules/jest/node_modules/semver': { version: '6.3.1', integrity: 'sha512-e' },
};
const before = readLockfile(lock(PACKAGES));

describe('npm lockfile', () => {
  it('an unrelated devDependency bump changes only that package', () => {
    const bumped = readLockfile(
      lock({ ...PACKAGES, 'node_modules/@types/semver': { version: '7.8.1', integrity: 'sha512-D' } }),
    );
    expect([...changedPackages(before, bumped)]).toEqual(['@types/semver']);
  });
  it('closure follows dependencies, nested copies named by their last node_modules segment', () => {
    expect([...dependencyClosure(before, ['dockerfile-ast'])].sort()).toEqual([
      'dockerfile-ast',
      'vscode-languageserver-types',
    ]);
    expect(before.copies.get('semver')).toEqual(['6.3.1|sha512-e']);
  });
  it('rejects what is not an npm v2/v3 lockfile', () => {
    expect(() => readLockfile('{"lockfileVersion":1,"dependencies":{}}')).toThrow(/not an npm lockfile v2\/v3/);
    expect(() => readLockfile('nope')).toThrow(/not JSON/);
  });
});
