/**
 * Where BuildKit's dockerfile frontend (1.18, moby/buildkit frontend/dockerfile) rejects a Dockerfile, the model
 * rejects it too, as `file:line: reason`. Each case quotes the BuildKit message it corresponds to.
 */
import { parseDockerfile } from './model';
import { DockerfileError } from './errors';

function errorOf(text: string): DockerfileError {
  try {
    parseDockerfile(text, 'apps/bad/Dockerfile');
  } catch (e) {
    if (e instanceof DockerfileError) return e;
    throw e;
  }
  throw new Error('expected a DockerfileError');
}

function expectRejected(text: string, line: number, reason: string | RegExp) {
  const err = errorOf(text);
  expect(err.message).toMatch(new RegExp(`^apps/bad/Dockerfile:${line}: `));
  expect(err.line).toBe(line);
  if (typeof reason === 'string') expect(err.reason).toContain(reason);
  else expect(err.reason).toMatch(reason);
}

describe('parser strictness, as BuildKit', () => {
  it('an ENV ending in "\\" that swallows the next instruction (parser: can\'t find = in "RUN")', () => {
    expectRejected(
      'FROM alpine\nENV A=1 \\\nRUN echo hi\nCOPY a /a\n',
      2,
      `Syntax error - can't find = in "RUN". Must be of the form: name=value`,
    );
    // The legacy one-pair form `ENV name value words` stays valid.
    expect(parseDockerfile('FROM alpine\nENV A 1 2\nENV B="x y" C=2\n', 'D').stages).toHaveLength(1);
  });

  it('two stages with one name: COPY --from resolves to the last, so here it reads itself (circular dependency detected on stage)', () => {
    const text = 'FROM alpine AS base\nRUN make\nFROM alpine AS base\nCOPY --from=base /out /out\n';
    expectRejected(text, 4, 'circular dependency detected on stage: base');
    // A later stage reading the duplicate gets the last one, as BuildKit's statesByName does.
    const ok = parseDockerfile('FROM alpine AS b\nFROM debian AS b\nFROM scratch\nCOPY --from=b /x /x\n', 'D');
    expect(ok.stages[2].copiesFrom).toEqual([1]);
  });

  it('COPY --from=<its own stage> (circular dependency detected on stage)', () => {
    expectRejected(
      'FROM alpine AS build\nCOPY --from=build /a /b\n',
      2,
      'circular dependency detected on stage: build',
    );
    expectRejected(
      'FROM alpine AS a\nCOPY --from=b /x /x\nFROM a AS b\n',
      3,
      'circular dependency detected on stage: a (a (line 2) -> b (line 3) -> a;',
    );
    expectRejected('FROM alpine\nCOPY --from=0 /x /x\n', 2, 'circular dependency detected on stage: stage-0');
  });

  it('COPY --from=$VAR (variable expansion is not supported for --from)', () => {
    const reason =
      'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround';
    expectRejected('ARG SRC=builder\nFROM alpine AS builder\nFROM scratch\nCOPY --from=$SRC /a /a\n', 4, reason);
    expectRejected('FROM scratch\nCOPY --from=${IMG:-alpine} /a /a\n', 2, reason);
    expectRejected(
      'FROM alpine\nRUN --mount=type=bind,from=$S,target=/s true\n',
      2,
      "'from' doesn't support variable expansion, define alias stage instead",
    );
  });

  it('invalid stage names (invalid name for build stage)', () => {
    expectRejected(
      'FROM alpine AS 1st\n',
      1,
      `invalid name for build stage: "1st", name can't start with a number or contain symbols`,
    );
    expectRejected('FROM alpine\nRUN x\nFROM alpine AS my/stage\n', 3, 'invalid name for build stage: "my/stage"');
    // Names are case-insensitive: BuildKit lowercases them.
    expect(parseDockerfile('FROM alpine AS Build\nFROM build\n', 'D').stages.map((s) => [s.name, s.parent])).toEqual([
      ['build', undefined],
      [undefined, 0],
    ]);
  });

  it('a stage index out of range (invalid stage index)', () => {
    expectRejected('FROM alpine\nCOPY --from=3 /a /a\n', 2, 'invalid stage index 3');
  });

  it("RUN cat > f << 'EOF' (a space after <<, a heredoc since frontend 1.16) is read as a heredoc", () => {
    const text =
      "FROM alpine\nRUN cat > /etc/x << 'EOF'\nFROM not-an-instruction\nCOPY not/a/source /x\nEOF\nCOPY real /real\nUSER 1000\n";
    const m = parseDockerfile(text, 'D');
    expect(m.stages).toHaveLength(1);
    expect(m.stages[0].runLines).toEqual([2]);
    expect(m.contextSources.map((s) => [s.path, s.line])).toEqual([['real', 6]]);
    expect(m.finalUser).toBe('1000');
    expect(m.externalImages).toEqual(['alpine']);
  });

  it('heredoc forms BuildKit reads: <<-EOF (tabs), <<"EOF", several per line, COPY <<EOF, a continued line', () => {
    const text = [
      'FROM alpine',
      'RUN <<-EOT sh',
      '\tBOGUS',
      '\tEOT',
      'COPY <<A << "B" /dst/',
      'a',
      'A',
      'b',
      'B',
      'RUN --mount=type=cache,target=/c \\',
      '  sh <<SCRIPT',
      'FROM nothing',
      'SCRIPT',
      'COPY src /src',
    ].join('\n');
    const m = parseDockerfile(text, 'D');
    expect(m.stages).toHaveLength(1);
    expect(m.stages[0].runLines).toEqual([2, 10]);
    expect(m.contextSources.map((s) => [s.path, s.line])).toEqual([['src', 14]]);
    // Not heredocs: `<<- EOF` (BuildKit joins only blanks after `<<`), quoted `<<`, the JSON form.
    expect(
      parseDockerfile('FROM alpine\nRUN echo "a <<b"\nRUN ["sh", "-c", "cat <<X"]\nCOPY x /x\n', 'D').contextSources,
    ).toHaveLength(1);
  });

  it('an unterminated heredoc is an error at its opening line (unterminated heredoc)', () => {
    expectRejected('FROM alpine\nRUN true\nRUN cat <<EOF > /x\nhello\nCOPY a /a\n', 3, 'unterminated heredoc');
    expectRejected("FROM alpine\nCOPY << 'END' /x\nbody\n", 2, 'unterminated heredoc <<END');
  });
});

describe('quotes in COPY/ADD and image names, as BuildKit', () => {
  it('an unbalanced quote in a COPY/ADD word, at its line (shell lexer: looking for matching double-quote)', () => {
    // Lucid's infrastructure/containers/.devcontainer/Dockerfile.network-friendly:119 has this shape.
    expectRejected(
      'FROM alpine\nRUN true\nCOPY pyproject.toml /tmp/ 2>/dev/null || echo "not found, skipping"\n',
      3,
      'COPY "not: unexpected end of statement while looking for matching double-quote',
    );
    expectRejected(
      'FROM alpine\nADD a "b\n',
      2,
      'ADD "b: unexpected end of statement while looking for matching double-quote',
    );
    expectRejected("FROM alpine\nCOPY 'a b' /x/\n", 2, 'matching single-quote');
    // Words are split on blanks before quotes are read, so a quoted blank is two unbalanced words.
    expectRejected('FROM alpine\nCOPY "a b" /x/\n', 2, 'COPY "a: unexpected end of statement');
    expectRejected('FROM alpine AS b\nRUN true\nFROM alpine\nCOPY --from=b /x" /y\n', 4, 'matching double-quote');
  });

  it('balanced quotes and escaped quotes are read away, as the lexer does', () => {
    const m = parseDockerfile(`FROM alpine\nCOPY "requirements.txt" 'a'b "c d"e /app/\n`.replace(' d"', 'd"'), 'D');
    expect(m.contextSources.map((s) => s.path)).toEqual(['requirements.txt', 'ab', 'cde']);
    // An escaped quote is a literal quote for BuildKit: never rejected.
    expect(parseDockerfile('FROM alpine\nCOPY \\"c /app/\n', 'D').contextSources).toHaveLength(1);
  });

  it('an upper-case image name, at its FROM line (repository name must be lowercase)', () => {
    expectRejected(
      'ARG V=3\nFROM Alpine:$V\n',
      2,
      'failed to parse stage name "Alpine:3": invalid reference format: repository name (library/Alpine) must be lowercase',
    );
    expectRejected('FROM ghcr.io/HamiGames/lucid AS x\n', 1, 'repository name (HamiGames/lucid) must be lowercase');
    expectRejected('FROM alpine:bad!tag\n', 1, 'failed to parse stage name "alpine:bad!tag": invalid reference format');
    // Upper case is fine in a registry host and a tag; a stage is found by its name whatever the case.
    const ok = parseDockerfile('FROM Registry.Example:5000/team/app:V1 AS Base\nFROM BASE\n', 'D');
    expect(ok.externalImages).toEqual(['Registry.Example:5000/team/app:V1']);
    // An image that still names an unknown ARG is left to the engine.
    expect(parseDockerfile('ARG IMAGE\nFROM $IMAGE\n', 'D').stages).toHaveLength(1);
  });
});
