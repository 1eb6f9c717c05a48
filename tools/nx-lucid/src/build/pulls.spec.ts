import { dockerfileStages, stagesToTarget } from './plan';
import { buildkitOwnPulls, plannedPulls, syntaxDirective } from './pulls';

const MIRRORS = { 'docker.io': 'm:5000/mirror/docker.io', 'gcr.io': 'm:5000/mirror/gcr.io' };
const DOCKERFILE = [
  'ARG PY=3.11',
  'FROM --platform=$BUILDPLATFORM python:${PY}-slim AS builder',
  'FROM mongo:7.0 AS unused',
  'FROM builder AS tests',
  'COPY --from=ghcr.io/astral-sh/uv:0.4 /uv /uv',
  'FROM gcr.io/distroless/python3-debian12@sha256:' + 'c'.repeat(64),
  'COPY --from=builder /x /x',
  '',
].join('\n');

describe('the images a build pulls, through the mirrors', () => {
  const plan = (buildArgs: Record<string, string> = {}, target?: string) => {
    const parsed = dockerfileStages(DOCKERFILE, buildArgs, 'Dockerfile');
    return plannedPulls(stagesToTarget(parsed.stages, target, 'Dockerfile').stages, parsed.copiedImages, MIRRORS);
  };

  it('every stage that is built and every COPY --from image, short names expanded as BuildKit does, digests kept', () => {
    const { pulls, notes } = plan();
    expect(notes).toEqual([]);
    expect(pulls).toEqual([
      {
        name: 'python:3.11-slim',
        ref: 'docker.io/library/python:3.11-slim',
        pullRef: 'm:5000/mirror/docker.io/library/python:3.11-slim',
      },
      {
        name: `gcr.io/distroless/python3-debian12@sha256:${'c'.repeat(64)}`,
        ref: `gcr.io/distroless/python3-debian12@sha256:${'c'.repeat(64)}`,
        pullRef: `m:5000/mirror/gcr.io/distroless/python3-debian12@sha256:${'c'.repeat(64)}`,
      },
      // No ghcr.io mirror: pulled from ghcr.io.
      { name: 'ghcr.io/astral-sh/uv:0.4', ref: 'ghcr.io/astral-sh/uv:0.4', pullRef: 'ghcr.io/astral-sh/uv:0.4' },
    ]);
  });

  it('build args change the image; --target drops the later stages; the unused stage is never pulled', () => {
    const { pulls } = plan({ PY: '3.12' }, 'unused');
    expect(pulls.map((p) => p.pullRef)).toEqual([
      'm:5000/mirror/docker.io/library/mongo:7.0',
      'ghcr.io/astral-sh/uv:0.4',
    ]);
    expect(plan({ PY: '3.12' }).pulls[0].name).toBe('python:3.12-slim');
  });

  it('an unknown --target is a problem naming the stages', () => {
    const { stages } = dockerfileStages(DOCKERFILE, {}, 'Dockerfile');
    expect(stagesToTarget(stages, 'runtime', 'apps/x/Dockerfile').problem).toBe(
      'target "runtime" is not a stage of apps/x/Dockerfile (its named stages: builder, unused, tests)',
    );
  });

  it('an image left with a variable is noted and not mirrored', () => {
    const parsed = dockerfileStages('ARG BASE\nFROM ${BASE}\n', {}, 'Dockerfile');
    const { pulls, notes } = plannedPulls(parsed.stages, parsed.copiedImages, MIRRORS);
    expect(pulls).toEqual([]);
    expect(notes).toEqual([expect.stringMatching(/names a variable without a value/)]);
  });
});

describe('what BuildKit pulls by itself: the syntax frontend and the SBOM scanner', () => {
  it('reads the # syntax= directive only from the directives at the top', () => {
    expect(syntaxDirective('\uFEFF# syntax = docker/dockerfile:1.7\nFROM x\n')).toBe('docker/dockerfile:1.7');
    expect(syntaxDirective('# escape=`\n#syntax=docker/dockerfile:1\nFROM x\n')).toBe('docker/dockerfile:1');
    expect(syntaxDirective('# a comment\n# syntax=docker/dockerfile:1\nFROM x\n')).toBeUndefined();
    expect(syntaxDirective('FROM x\n# syntax=docker/dockerfile:1\n')).toBeUndefined();
  });
  it('both through the docker.io mirror when there is one; nothing without a mirror or without an SBOM', () => {
    const content = '# syntax=docker/dockerfile:1\nFROM scratch\n';
    expect(buildkitOwnPulls(content, MIRRORS, { sbom: true })).toEqual({
      syntax: 'm:5000/mirror/docker.io/docker/dockerfile:1',
      sbomGenerator: 'm:5000/mirror/docker.io/docker/buildkit-syft-scanner:stable-1',
    });
    expect(buildkitOwnPulls(content, MIRRORS, { sbom: false })).toEqual({
      syntax: 'm:5000/mirror/docker.io/docker/dockerfile:1',
    });
    expect(buildkitOwnPulls(content, { 'gcr.io': 'm:5000/gcr.io' }, { sbom: true })).toEqual({});
  });
});
