import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  dockerfileStages,
  foreignRunProblems,
  hostPlatform,
  inputProblems,
  mirrorReference,
  pinnedReference,
  planBaseImage,
  reachableStages,
  baseRefForCacheKey,
} from './plan';

const SERVICE = readFileSync(join(__dirname, '../../../../apps/auth-service/Dockerfile'), 'utf8');
const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('base image planning', () => {
  it('resolves the final stage base through ARGs and the gcr.io mirror, and pins it via that ARG', () => {
    const { stages } = dockerfileStages(SERVICE);
    const base = planBaseImage(stages, { 'gcr.io': '127.0.0.1:5000/mirror/gcr.io' }, ['127.0.0.1:5000']);
    expect(base).toEqual({
      ref: 'gcr.io/distroless/python3-debian12:nonroot',
      pullRef: '127.0.0.1:5000/mirror/gcr.io/distroless/python3-debian12:nonroot',
      pullRegistry: '127.0.0.1:5000',
      insecure: true,
      viaArg: 'BASE_IMAGE',
    });
    expect(pinnedReference(base!.pullRef, DIGEST)).toBe(
      `127.0.0.1:5000/mirror/gcr.io/distroless/python3-debian12@${DIGEST}`,
    );
  });

  it('honours a build arg that replaces the base, and follows stage-to-stage FROMs', () => {
    const df = 'ARG B=alpine:3\nFROM ${B} AS one\nRUN true\nFROM one\nCOPY x /x\n';
    const { stages } = dockerfileStages(df, { B: 'ghcr.io/acme/base:2' });
    expect(planBaseImage(stages, {}, [])).toMatchObject({
      ref: 'ghcr.io/acme/base:2',
      pullRef: 'ghcr.io/acme/base:2',
      insecure: false,
    });
    expect(
      planBaseImage(dockerfileStages('FROM alpine:3\n').stages, { 'docker.io': 'm.local:5000/hub' }, []),
    ).toMatchObject({
      ref: 'docker.io/library/alpine:3',
      pullRef: 'm.local:5000/hub/library/alpine:3',
    });
  });

  it('has no base for FROM scratch', () => {
    expect(planBaseImage(dockerfileStages('FROM scratch\nCOPY a /a\n').stages, {}, [])).toBeNull();
  });

  it('mirrors only the listed registry', () => {
    expect(mirrorReference('ghcr.io/a/b:1', { 'gcr.io': 'x:1/y' })).toBe('ghcr.io/a/b:1');
  });
});

describe('foreign platform RUN detection', () => {
  const multi = [
    'FROM --platform=$BUILDPLATFORM debian AS tools',
    'RUN make tools',
    'FROM debian AS native',
    'RUN apt-get install -y foo',
    'FROM debian AS unused',
    'RUN echo never built',
    'FROM scratch',
    'COPY --from=tools /t /t',
    'COPY --from=native /n /n',
  ].join('\n');

  it('names the platform, the RUN line and how to enable emulation', () => {
    const problems = foreignRunProblems(
      'apps/x/Dockerfile',
      dockerfileStages(multi).stages,
      ['linux/amd64', 'linux/arm64'],
      'linux/amd64',
      new Set(),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('apps/x/Dockerfile:4: "RUN apt-get install -y foo" would run for linux/arm64');
    expect(problems[0]).toContain('update-binfmts --enable qemu-aarch64');
    expect(problems[0]).toContain('apt-get install qemu-user-static binfmt-support');
  });

  it('accepts a registered emulator, COPY-only stages, $BUILDPLATFORM stages and unused stages', () => {
    const stages = dockerfileStages(multi).stages;
    expect(
      foreignRunProblems('D', stages, ['linux/amd64', 'linux/arm64'], 'linux/amd64', new Set(['qemu-aarch64'])),
    ).toEqual([]);
    expect(
      foreignRunProblems(
        'D',
        dockerfileStages(SERVICE).stages,
        ['linux/amd64', 'linux/arm64'],
        'linux/amd64',
        new Set(),
      ),
    ).toEqual([]);
    expect(reachableStages(stages).map((s) => s.name ?? s.index)).toEqual(['tools', 'native', 3]);
  });

  it('checks every foreign platform from an arm64 host too', () => {
    const problems = foreignRunProblems(
      'D',
      dockerfileStages('FROM debian\nRUN true\n').stages,
      ['linux/amd64', 'linux/arm64'],
      'linux/arm64',
      new Set(),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('for linux/amd64');
    expect(problems[0]).toContain('qemu-x86_64');
  });

  it('maps Node architectures', () => {
    expect(hostPlatform('x64')).toBe('linux/amd64');
    expect(hostPlatform('arm64')).toBe('linux/arm64');
  });
});

describe('inputProblems', () => {
  const supported = ['linux/amd64', 'linux/arm64'];
  it('reports unknown platforms, duplicates, bad arg names and newlines together', () => {
    const problems = inputProblems({
      platforms: ['linux/amd64', 'linux/amd64', 'windows/amd64'],
      supportedPlatforms: supported,
      buildArgs: { OK: 'x', 'bad-name': 'y', NOTE: 'a\nb' },
    });
    expect(problems).toEqual([
      'unknown platform "windows/amd64"; expected one of linux/amd64, linux/arm64',
      'platforms lists a platform twice: linux/amd64, linux/amd64, windows/amd64',
      'build-arg name "bad-name" is not a valid ARG name',
      'build-arg NOTE contains a newline; build args are single-line',
    ]);
  });
  it('is empty for good input', () => {
    expect(inputProblems({ platforms: supported, supportedPlatforms: supported, buildArgs: { A: '1' } })).toEqual([]);
  });
});

describe('base reference for the cache key', () => {
  const { analyzeDockerfile } = jest.requireActual('../dockerfile/analyze') as typeof import('../dockerfile/analyze');
  const { execFileSync } = jest.requireActual('node:child_process') as typeof import('node:child_process');

  it('follows ARG defaults and stages, and skips scratch', () => {
    expect(baseRefForCacheKey(analyzeDockerfile(SERVICE, 'D').stages)).toBe(
      'gcr.io/distroless/python3-debian12:nonroot',
    );
    expect(baseRefForCacheKey(analyzeDockerfile('FROM alpine:3 AS a\nFROM a\n', 'D').stages)).toBe(
      'docker.io/library/alpine:3',
    );
    expect(baseRefForCacheKey(analyzeDockerfile('FROM scratch\nCOPY a /a\n', 'D').stages)).toBeUndefined();
    expect(baseRefForCacheKey(analyzeDockerfile('ARG B\nFROM ${B}\n', 'D').stages)).toBeUndefined();
  });

  it('bin/base-digest.js mirrors references exactly as the build does', () => {
    const script = join(__dirname, '../../bin/base-digest.js');
    const cases: Array<[string, string]> = [
      ['gcr.io/distroless/python3-debian12:nonroot', 'gcr.io=127.0.0.1:5055/mirror/gcr.io'],
      ['docker.io/library/alpine:3', 'docker.io=m.local/hub/,gcr.io=x'],
      [`ghcr.io/a/b@${DIGEST}`, 'gcr.io=x'],
    ];
    for (const [ref, mirrorsEnv] of cases) {
      const mirrors = Object.fromEntries(mirrorsEnv.split(',').map((p) => p.split('=')));
      const printed = execFileSync('node', [script, ref, '--print-pull-ref'], {
        env: { ...process.env, LUCID_REGISTRY_MIRRORS: mirrorsEnv },
        cwd: __dirname,
      })
        .toString()
        .trim();
      expect(printed).toBe(mirrorReference(ref, mirrors));
    }
  });
});
