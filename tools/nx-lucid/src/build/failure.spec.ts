import { buildahFailureSite, buildkitFailureSite } from './engines/failure-site';
import { failureLine } from './failure';

const DOCKERFILE = [
  '# syntax=docker/dockerfile:1', // 1
  'FROM python:3.11-slim AS builder', // 2
  'RUN echo hi', // 3
  '', // 4
  'RUN echo multi \\', // 5
  '   && exit 3', // 6
  'FROM python:3.11-slim AS tests', // 7
  'RUN echo hi', // 8
  'FROM gcr.io/distroless/python3-debian12', // 9
  'COPY --from=builder /x /x', // 10
  '',
].join('\n');
const FILE = 'apps/svc/Dockerfile';

describe('a failed build at file:line', () => {
  it('buildah: the failing STEP text (continuation lines joined) maps to its instruction', () => {
    // What buildah 1.28 prints (stdout's steps, then stderr's error).
    const output = [
      '[1/3] STEP 1/3: FROM python:3.11-slim AS builder',
      '[1/3] STEP 2/3: RUN echo hi',
      'hi',
      '[1/3] STEP 3/3: RUN echo multi    && exit 3',
      'multi',
      'subprocess exited with status 3',
      'Error: building at STEP "RUN echo multi    && exit 3": exit status 3',
    ].join('\n');
    const site = buildahFailureSite(output)!;
    expect(site).toEqual({ stepText: 'RUN echo multi    && exit 3', stage: 1, step: 3, reason: 'exit status 3' });
    expect(failureLine(site, DOCKERFILE, FILE)).toBe(`${FILE}:5: RUN echo multi: exit status 3`);
  });

  it('buildah: two equal instructions are told apart by [stage] STEP n', () => {
    const output = '[2/3] STEP 2/2: RUN echo hi\nError: building at STEP "RUN echo hi": exit status 1: "quoted": x\n';
    const site = buildahFailureSite(output)!;
    expect(site.reason).toBe('exit status 1: "quoted": x');
    expect(failureLine(site, DOCKERFILE, FILE)).toBe(`${FILE}:8: RUN echo hi: exit status 1: "quoted": x`);
    expect(failureLine({ ...site, stage: 1, step: 2 }, DOCKERFILE, FILE)).toMatch(/:3: RUN echo hi:/);
  });

  it('buildah: a base it could not pull is reported at the FROM that names it', () => {
    const output =
      'Error: creating build container: initializing source docker://python:3.11-slim: pinging container registry registry-1.docker.io: no such host';
    const site = buildahFailureSite(output)!;
    expect(site.image).toBe('python:3.11-slim');
    expect(failureLine(site, DOCKERFILE, FILE)).toBe(
      `${FILE}:2: FROM python:3.11-slim AS builder: creating build container: initializing source docker://python:3.11-slim: pinging container registry registry-1.docker.io: no such host`,
    );
  });

  it('BuildKit: the line under Dockerfile:N and the final ERROR', () => {
    const output = [
      '#9 [builder 3/3] RUN echo multi    && exit 3',
      '#9 0.105 multi',
      '#9 ERROR: process "/bin/sh -c echo multi    && exit 3" did not complete successfully: exit code: 3',
      '------',
      ' > [builder 3/3] RUN echo multi    && exit 3:',
      '0.105 multi',
      '------',
      'Dockerfile:5',
      '--------------------',
      '   4 |     ',
      '   5 | >>> RUN echo multi \\',
      '   6 | >>>    && exit 3',
      '   7 |     FROM python:3.11-slim AS tests',
      '--------------------',
      'ERROR: failed to build: failed to solve: process "/bin/sh -c echo multi    && exit 3" did not complete successfully: exit code: 3',
    ].join('\n');
    const site = buildkitFailureSite(output)!;
    expect(site).toEqual({
      line: 5,
      reason: 'process "/bin/sh -c echo multi    && exit 3" did not complete successfully: exit code: 3',
    });
    expect(failureLine(site, DOCKERFILE, FILE)).toBe(
      `${FILE}:5: RUN echo multi: process "/bin/sh -c echo multi    && exit 3" did not complete successfully: exit code: 3`,
    );
  });

  it("no site in the output, or one not in this Dockerfile: undefined (the engine's own words are used)", () => {
    expect(buildahFailureSite('Error: something else')).toBeUndefined();
    expect(buildkitFailureSite('nothing here')).toBeUndefined();
    expect(failureLine({ stepText: 'RUN not there', reason: 'x' }, DOCKERFILE, FILE)).toBeUndefined();
  });

  it('BuildKit without a source excerpt: the failed step ` > [stage n/m] RUN …:` names the instruction', () => {
    const output = [
      '------',
      ' > [builder 3/3] RUN echo multi    && exit 3:',
      '0.105 multi',
      '------',
      'ERROR: failed to solve: process "/bin/sh -c echo multi    && exit 3" did not complete successfully: exit code: 3',
    ].join('\n');
    const site = buildkitFailureSite(output)!;
    expect(site).toMatchObject({ stepText: 'RUN echo multi    && exit 3', step: 3 });
    expect(failureLine(site, DOCKERFILE, FILE)).toMatch(new RegExp(`^${FILE}:5: RUN echo multi: process `));
  });
});
