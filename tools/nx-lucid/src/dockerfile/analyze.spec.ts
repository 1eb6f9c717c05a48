import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDockerfile, DockerfileError, substitute } from './analyze';

const fixture = (name: string) => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');
const paths = (text: string, buildArgs?: Record<string, string>) =>
  analyzeDockerfile(text, 'x/Dockerfile', buildArgs).contextSources.map((s) => s.path);

/** Asserts `text` is rejected with a DockerfileError naming the file and line. */
function expectError(text: string, line: number, reason: RegExp) {
  let caught: unknown;
  try {
    analyzeDockerfile(text, 'apps/bad/Dockerfile');
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DockerfileError);
  const err = caught as DockerfileError;
  expect(err.file).toBe('apps/bad/Dockerfile');
  expect(err.line).toBe(line);
  expect(err.message).toMatch(new RegExp(`^apps/bad/Dockerfile:${line}: `));
  expect(err.reason).toMatch(reason);
}

describe('analyzeDockerfile on real Dockerfiles from public repositories (see __fixtures__/SOURCES.md)', () => {
  it('kaniko Dockerfile_test_meta_arg: global ARGs compose the FROM image, COPY --from names a stage', () => {
    const a = analyzeDockerfile(fixture('kaniko-meta-arg.Dockerfile'), 'kaniko/Dockerfile');
    expect(a.stages.map((s) => [s.name, s.image, s.fromStage, s.line])).toEqual([
      ['stage1', 'gcr.io/google-appengine/debian9', false, 6],
      [undefined, 'gcr.io/google-appengine/debian9', false, 12],
    ]);
    expect(a.externalImages).toEqual(['gcr.io/google-appengine/debian9']);
    expect(a.globalArgs).toEqual({ REGISTRY: 'gcr.io', REPO: 'google-appengine', WORD: 'hello', W0RD2: 'hey' });
    // COPY --from=stage1 reads another stage, not the build context.
    expect(a.contextSources).toEqual([]);
    expect(a.stages[0].runLines).toEqual([10]);
  });

  it('kaniko Dockerfile_test_meta_arg: a build arg overrides the global ARG default in FROM', () => {
    const a = analyzeDockerfile(fixture('kaniko-meta-arg.Dockerfile'), 'kaniko/Dockerfile', {
      REGISTRY: 'mirror.local:5000',
    });
    expect(a.externalImages).toEqual(['mirror.local:5000/google-appengine/debian9']);
  });

  it('renovate 3.Dockerfile: comments inside continuations; a FROM whose ARG is out of scope is the error Docker gives', () => {
    // nginx_version is declared inside stage1, so FROM cannot see it: BuildKit says "base name should not be blank".
    expectError(fixture('renovate-3.Dockerfile'), 14, /FROM image "\$nginx_version" is empty/);
  });

  it('renovate 3.Dockerfile with the ARG moved before the first FROM parses, continued FROM on its first line', () => {
    const lines = fixture('renovate-3.Dockerfile').split('\n');
    const stageArg = lines.slice(7, 12).join('\n');
    const fixed = [stageArg, ...lines.slice(0, 7), ...lines.slice(12)].join('\n');
    const a = analyzeDockerfile(fixed, 'renovate/Dockerfile');
    expect(a.stages.map((s) => s.image)).toEqual([
      'alpine:3.15.4',
      'nginx:1.18.0-alpine@sha256:ca9fac83c6c89a09424279de522214e865e322187b22a1a29b12747a4287b7bd',
    ]);
    expect(a.stages[0].line).toBe(10);
  });

  it('the workspace own auth-service Dockerfile: exactly its lib, pyproject and src', () => {
    const text = readFileSync(join(__dirname, '../../../../apps/auth-service/Dockerfile'), 'utf8');
    const a = analyzeDockerfile(text, 'apps/auth-service/Dockerfile');
    expect(a.contextSources.map((s) => s.path)).toEqual([
      'libs/lucid-common/src',
      'apps/auth-service/pyproject.toml',
      'apps/auth-service/src',
    ]);
    expect(a.externalImages).toEqual(['gcr.io/distroless/python3-debian12:nonroot']);
    expect(a.finalUser).toBe('65532:65532');
  });
});

const MESSY = `# syntax=docker/dockerfile:1.7
# escape characters, continuations, comments, heredocs, flags
ARG PY=3.12
ARG BASE=gcr.io/distroless/python3-debian12:nonroot
FROM --platform=$BUILDPLATFORM python:\${PY}-slim AS build
WORKDIR /src
# a comment between instructions
COPY --chown=1000:1000 --link \\
     apps/svc/pyproject.toml \\
     # a comment inside a continuation
     apps/svc/src/ /src/
COPY --chmod=644 ["libs/with space/src", "/src/lib/"]
COPY <<EOF /etc/app.conf
FROM this-is-not-an-instruction
COPY not/a/source /nowhere
EOF
RUN <<EOT bash
  set -e
  NOTAKEYWORD and more
EOT
RUN pip install --no-cache-dir . \\
 && echo done
ADD https://example.com/archive.tar.gz /tmp/
ADD --checksum=sha256:abc https://example.com/x.tgz /tmp/
ADD git@github.com:moby/buildkit.git#v0.12 /buildkit
ADD vendor/blob.tar.gz /opt/
ENV APP_DIR=apps/svc
COPY $APP_DIR/config/ \${APP_DIR}/static /app/
RUN --mount=type=bind,source=tools/build.sh,target=/b.sh --mount=type=cache,target=/root/.cache sh /b.sh
RUN --mount=type=bind,from=busybox:1.36,source=/bin,target=/x true

FROM build AS test
COPY $APP_DIR/tests /tests

FROM \${BASE}
COPY --from=build --chown=65532:65532 /src /app
COPY --from=busybox:1.36 /bin/busybox /busybox
USER 65532:65532
`;

describe('analyzeDockerfile on a messy multi-stage Dockerfile', () => {
  const a = analyzeDockerfile(MESSY, 'apps/svc/Dockerfile');

  it('finds every stage, with ARG defaults in FROM and FROM <stage>', () => {
    expect(a.stages.map((s) => [s.name, s.image, s.fromStage])).toEqual([
      ['build', 'python:3.12-slim', false],
      ['test', 'build', true],
      [undefined, 'gcr.io/distroless/python3-debian12:nonroot', false],
    ]);
    expect(a.externalImages.sort()).toEqual([
      'busybox:1.36',
      'gcr.io/distroless/python3-debian12:nonroot',
      'python:3.12-slim',
    ]);
  });

  it('reads exactly the context sources: flags, continuations, JSON form, ENV, ADD files, bind mounts; not URLs, heredocs, stages', () => {
    expect(a.contextSources.map((s) => [s.instruction, s.path])).toEqual([
      ['COPY', 'apps/svc/pyproject.toml'],
      ['COPY', 'apps/svc/src'],
      ['COPY', 'libs/with space/src'],
      ['ADD', 'vendor/blob.tar.gz'],
      ['COPY', 'apps/svc/config'],
      ['COPY', 'apps/svc/static'],
      ['RUN', 'tools/build.sh'],
      // ENV is inherited by a stage built FROM the stage that set it.
      ['COPY', 'apps/svc/tests'],
    ]);
    expect(a.contextSources.every((s) => !s.unresolved)).toBe(true);
  });

  it('keeps line numbers of the original file and the final USER', () => {
    expect(a.contextSources[0].line).toBe(8);
    expect(a.stages[0].runLines).toEqual([17, 21, 29, 30]);
    expect(a.finalUser).toBe('65532:65532');
  });

  it('gives the same result with Windows line endings', () => {
    const crlf = analyzeDockerfile(MESSY.replace(/\n/g, '\r\n'), 'apps/svc/Dockerfile');
    expect(crlf.contextSources).toEqual(a.contextSources);
    expect(crlf.stages).toEqual(a.stages);
  });

  it('accepts lowercase instructions', () => {
    expect(paths('from alpine\ncopy a/b /c\n')).toEqual(['a/b']);
  });
});

describe('variables in sources', () => {
  it('build args override ARG defaults in COPY sources', () => {
    const text = 'FROM scratch\nARG SVC=auth\nCOPY apps/${SVC}/src /app\n';
    expect(paths(text)).toEqual(['apps/auth/src']);
    expect(paths(text, { SVC: 'redis' })).toEqual(['apps/redis/src']);
  });

  it('a stage does not see global ARGs unless it re-declares them', () => {
    const text = 'ARG D=libs/a\nFROM scratch\nCOPY ${D}/x /x\nARG D\nCOPY ${D}/y /y\n';
    // In a scratch stage an undeclared variable is empty, as in Docker.
    expect(paths(text)).toEqual(['x', 'libs/a/y']);
  });

  it('an unknown variable (maybe from the base image ENV) means the whole context', () => {
    const a = analyzeDockerfile('FROM python:3\nCOPY $SRC /app\n', 'f');
    expect(a.contextSources).toEqual([{ instruction: 'COPY', path: '.', line: 2, unresolved: true, stage: 0 }]);
  });

  it('an ARG without default and no build arg means the whole context', () => {
    expect(paths('FROM scratch\nARG SRC\nCOPY $SRC /app\n')).toEqual(['.']);
  });

  it('COPY . and ./ are the whole context; leading ./ and / are stripped', () => {
    expect(paths('FROM scratch\nCOPY . /a\nCOPY ./ /b\nCOPY ./apps/x/ /c\nCOPY /libs/y /d\n')).toEqual([
      '.',
      '.',
      'apps/x',
      'libs/y',
    ]);
  });

  it('substitute handles Docker modifiers', () => {
    expect(substitute('${A:-d}', { A: '' })).toBe('d');
    expect(substitute('${A-d}', { A: '' })).toBe('');
    expect(substitute('${A:+w}', { A: 'x' })).toBe('w');
    expect(substitute('${A:+w}', { A: '' })).toBe('');
    expect(substitute('${B:-d}', {}, true)).toBe('d');
    expect(substitute('${B:-d}', {})).toBeNull();
    expect(substitute('$A/$B', { A: 'a' }, true)).toBe('a/');
  });
});

describe('malformed Dockerfiles give a DockerfileError naming the file and line', () => {
  it('unknown instruction', () => expectError('FROM alpine\nRUN true\nCOPPY a b\n', 3, /unknown instruction "COPPY"/));
  it('FROM without image', () => expectError('FROM alpine\nRUN x\nFROM\n', 3, /FROM needs an image/));
  it('FROM with only a flag', () => expectError('FROM --platform=linux/amd64\n', 1, /FROM needs an image/));
  it('FROM with junk after the image', () => expectError('FROM alpine AS\n', 1, /FROM takes "image \[AS name\]"/));
  it('COPY with one argument', () =>
    expectError('FROM alpine\n\n# c\nCOPY onlyone\n', 4, /COPY needs at least one source and a destination/));
  it('ADD with one argument', () => expectError('FROM alpine\nADD x\n', 2, /ADD needs at least one source/));
  it('unclosed JSON array', () => expectError('FROM alpine\nCOPY ["a", "b"\n', 2, /malformed JSON array/));
  it('instruction before FROM', () => expectError('ARG X=1\nRUN echo\nFROM alpine\n', 2, /RUN before the first FROM/));
  it('empty file', () => expectError('', 1, /no FROM instruction/));
  it('only comments', () => expectError('# just a comment\n\n', 1, /no FROM instruction/));
  it('only ARGs', () => expectError('ARG A=1\nARG B=2\n', 2, /no FROM instruction/));
  it('line numbers survive CRLF and continuations', () =>
    expectError('FROM alpine\r\nRUN a \\\r\n  b\r\nBOGUS x\r\n', 4, /unknown instruction "BOGUS"/));
  it('the error message is file:line: reason', () => {
    const err = new DockerfileError('apps/a/Dockerfile', 7, 'bad');
    expect(err.message).toBe('apps/a/Dockerfile:7: bad');
    expect(err.name).toBe('DockerfileError');
  });
});

describe('JSON form and the escape directive', () => {
  it('keeps spaces and escapes inside JSON strings, across a continuation', () => {
    expect(paths('FROM scratch\nCOPY --chmod=644 \\\n  ["my dir/a b.txt", "q\\\\\\"uote", "/dst/"]\n')).toEqual([
      'my dir/a b.txt',
      'q"uote',
    ]);
    // BuildKit's lexer reads every element too: a lone quote inside one is unbalanced (see strictness.spec.ts).
    expect(() => paths('FROM scratch\nCOPY ["q\\"uote", "/dst/"]\n')).toThrow(/matching double-quote/);
  });
  it('honours "# escape=`" (Windows Dockerfiles) for continuations', () => {
    const text =
      '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY `\n  app\\bin /app\nCOPY ["c d", `\n "/x"]\n';
    expect(paths(text)).toEqual(['app\\bin', 'c d']);
  });
});
