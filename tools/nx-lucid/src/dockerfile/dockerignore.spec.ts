import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { minimatch } from 'minimatch';
import { dockerignoreNegations, parseDockerignore } from './dockerignore';

/** Whether a workspace file survives the negations (as Nx applies them to the container-build inputs). */
const kept = (negations: string[], file: string) =>
  !negations.some((n) => minimatch(file, n.slice(1).replace('{workspaceRoot}/', ''), { dot: true }));

describe('parseDockerignore', () => {
  it('reads patterns, skips comments and blanks, strips leading "/" "./" and trailing "/", tolerates CRLF', () => {
    const rules = parseDockerignore('# docs\r\n\r\n/build/\r\n./tmp\r\n  **/*.md  \r\n.\r\n');
    expect(rules.excludes).toEqual(['build', 'tmp', '**/*.md']);
    expect(rules.hasExceptions).toBe(false);
    expect(rules.finalExcludes).toEqual(rules.excludes);
  });

  it('only exclusions after the last "!" exception are final (Docker: the last matching line wins)', () => {
    const rules = parseDockerignore('**/*.md\n!README.md\n**/tests\n');
    expect(rules.hasExceptions).toBe(true);
    expect(rules.excludes).toEqual(['**/*.md', '**/tests']);
    expect(rules.finalExcludes).toEqual(['**/tests']);
  });
});

describe('dockerignoreNegations', () => {
  it('turns each exclusion into a file and a folder negation', () => {
    expect(dockerignoreNegations(parseDockerignore('docs\n'))).toEqual([
      '!{workspaceRoot}/docs',
      '!{workspaceRoot}/docs/**',
    ]);
  });

  it('never negates what an exception re-includes', () => {
    const neg = dockerignoreNegations(parseDockerignore('**/*.md\n!apps/a/CHANGELOG.md\n'));
    expect(neg).toEqual([]);
    expect(kept(neg, 'apps/a/CHANGELOG.md')).toBe(true);
  });

  it("the workspace's own service ignore file excludes docs, tests and caches, but not sources", () => {
    const text = readFileSync(join(__dirname, '../../../../apps/auth-service/Dockerfile.dockerignore'), 'utf8');
    const neg = dockerignoreNegations(parseDockerignore(text));
    expect(kept(neg, 'apps/auth-service/README.md')).toBe(false);
    expect(kept(neg, 'apps/auth-service/tests/test_main.py')).toBe(false);
    expect(kept(neg, 'libs/lucid-common/src/lucid_common/__pycache__/x.cpython-312.pyc')).toBe(false);
    expect(kept(neg, 'apps/auth-service/src/main.py')).toBe(true);
    expect(kept(neg, 'libs/lucid-common/src/lucid_common/service.py')).toBe(true);
  });
});
