import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { astInstructions, instructionList, simpleInstructions } from './instruction-list';
import { scanHeredocs } from './heredoc';

const APPS = join(__dirname, '../../../../apps');
const FIXTURES = join(__dirname, '__fixtures__');

/** Every Dockerfile of the 29 services and of the parser fixtures. */
const realDockerfiles = (): Array<[string, string]> => [
  ...readdirSync(APPS).flatMap((app) =>
    readdirSync(join(APPS, app))
      .filter((f) => /^Dockerfile(\.(?!dockerignore).+)?$/.test(f))
      .map((f): [string, string] => [`apps/${app}/${f}`, readFileSync(join(APPS, app, f), 'utf8')]),
  ),
  ...readdirSync(FIXTURES)
    .filter((f) => /Dockerfile$/i.test(f))
    .map((f): [string, string] => [f, readFileSync(join(FIXTURES, f), 'utf8')]),
];

const PLAIN_CASES: Record<string, string> = {
  'flags, a word with -- inside, platform': [
    'ARG BASE=alpine:3',
    'FROM --platform=$BUILDPLATFORM ${BASE} AS build',
    'RUN --mount=type=bind,source=src,target=/src --network=none make a--b --c',
    'RUN foo--bar --baz',
    'COPY --from=build --chown=1:1 --link /out /app',
    'ADD --checksum=sha256:00 https://example.com/x /x',
    'FROM build',
    'COPY --chmod=755 a b c/',
  ].join('\n'),
  'properties in every form': [
    '# syntax=docker/dockerfile:1',
    'ARG ONLY',
    'ARG EMPTY=',
    'ARG A==b',
    'FROM scratch',
    'ENV A=1 B=$A:x C=',
    'ENV LEGACY value',
    'ENV LEGACY2 value   with  spaces',
    'LABEL org.opencontainers.image.title=x a=b',
    'ENV',
    'LABEL x',
  ].join('\n'),
  'comments, indentation, blank lines, trailing blanks, lowercase keywords': [
    '  # a comment',
    '',
    'from scratch as one   ',
    '\tcopy  a\t b  ',
    '   # another',
    'user 65532 ',
    'CMD ["a b", "c"]',
    'ENTRYPOINT ["python3", "/app/main.py"]  ',
    'HEALTHCHECK --interval=5s CMD true',
    'ONBUILD RUN x',
    'FROM',
    'BOGUS thing',
  ].join('\n'),
  'continuation lines': [
    'FROM scratch AS a',
    'ENV PYTHONPATH=/app/lib \\',
    '    PYTHONUNBUFFERED=1 \\  ',
    '\tLUCID_SERVICE_PORT=8080',
    'RUN --mount=type=cache,target=/c \\',
    '    make \\',
    '    install',
    'COPY --from=a \\',
    '  /x /y',
  ].join('\n'),
};

describe('the instruction list: own splitter for plain Dockerfiles, dockerfile-ast otherwise', () => {
  it.each(Object.entries(PLAIN_CASES))('reads %s exactly as dockerfile-ast does', (_, text) => {
    const fast = simpleInstructions(text);
    expect(fast).not.toBeNull();
    expect(fast).toEqual(astInstructions(text).instructions);
  });

  it('agrees with dockerfile-ast on every plain Dockerfile of the services and fixtures', () => {
    const files = realDockerfiles();
    expect(files.length).toBeGreaterThanOrEqual(29);
    let plain = 0;
    for (const [file, text] of files) {
      const masked = scanHeredocs(text.replace(/\r\n?/g, '\n'), file).masked;
      const fast = simpleInstructions(masked);
      if (!fast) continue;
      plain++;
      expect({ file, list: fast }).toEqual({ file, list: astInstructions(masked).instructions });
    }
    // The services' Dockerfiles are plain: the fast path is what the graph uses for them.
    expect(plain).toBeGreaterThanOrEqual(29);
  });

  it.each([
    ['a backslash inside a word', 'FROM scratch\nRUN a\\b\n'],
    ['a continuation right after a word', 'FROM scratch\nRUN a\\\n  b\n'],
    ['a comment inside a continuation', 'FROM scratch\nRUN a \\\n# c\n  b\n'],
    ['a blank line inside a continuation', 'FROM scratch\nRUN a \\\n\n  b\n'],
    ['the legacy ENV form over several lines', 'FROM scratch\nENV A b \\\n  c\n'],
    ['an escape directive', '# escape=`\nFROM scratch\nRUN a `\n  b\n'],
    ['quotes in ENV', 'FROM scratch\nENV A="x y"\n'],
    ['quotes in LABEL', "FROM scratch\nLABEL a='x y'\n"],
    ['several names in one ARG', 'ARG A B\nFROM scratch\n'],
    ['a masked heredoc', scanHeredocs('FROM scratch\nRUN <<EOF\nx\nEOF\n', 'D').masked],
    ['a non-breaking space', 'FROM scratch\nRUN a\u00a0b\n'],
  ])('leaves %s to dockerfile-ast', (_, text) => {
    expect(simpleInstructions(text)).toBeNull();
    expect(instructionList(text)).toEqual(astInstructions(text));
  });
});
