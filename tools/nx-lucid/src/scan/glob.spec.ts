import { globMatch, globToRegExp } from './glob';

/** doublestar v4 Match semantics, the matcher Trivy uses for `paths` in .trivyignore.yaml. */
describe('doublestar patterns', () => {
  it.each([
    ['**/go.mod', 'go.mod', true],
    ['**/go.mod', 'a/b/go.mod', true],
    ['dir/**', 'dir', true],
    ['dir/**', 'dir/a/b', true],
    ['dir/**', 'dirx', false],
    ['*.jar', 'a/b.jar', false],
    ['**/*.jar', 'a/b.jar', true],
    ['usr/lib/*/x', 'usr/lib/a/x', true],
    ['usr/lib/*/x', 'usr/lib/a/b/x', false],
    ['a/{b,c}/d', 'a/c/d', true],
    ['a/{b,c}/d', 'a/e/d', false],
    ['[!a]x', 'bx', true],
    ['[!a]x', 'ax', false],
    ['?x', '/x', false],
    ['**', 'a/b', true],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a.b', 'axb', false],
    ['\\*', '*', true],
  ])('%s vs %s → %s', (pattern, path, expected) => {
    expect(globMatch(pattern, path)).toBe(expected);
  });

  it('rejects what doublestar.ValidatePattern rejects', () => {
    expect(() => globToRegExp('a/[b')).toThrow(/unclosed \[/);
    expect(() => globToRegExp('a/{b,c')).toThrow(/unclosed \{/);
    expect(() => globToRegExp('a\\')).toThrow(/trailing backslash/);
  });
});
