import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDockerfile } from './model';
import { analyzeDockerfile } from './analyze';
import { dockerfileStages, planBaseImage } from '../build/plan';

const SERVICE = readFileSync(join(__dirname, '../../../../apps/auth-service/Dockerfile'), 'utf8');

describe('one Dockerfile model, parsed once per content', () => {
  it('graph/inputs (analyzeDockerfile) and build planning (dockerfileStages) read the same cached model', () => {
    const forGraph = analyzeDockerfile(SERVICE, 'apps/auth-service/Dockerfile');
    const forBuild = dockerfileStages(SERVICE, {}, 'apps/auth-service/Dockerfile');
    expect(forBuild.stages).toBe(forGraph.stages);
    expect(parseDockerfile(SERVICE, 'apps/auth-service/Dockerfile')).toBe(forGraph);
    expect(forGraph.stages.map((s) => [s.name, s.rawImage, s.image, s.parent])).toEqual([
      ['assemble', 'scratch', 'scratch', undefined],
      [undefined, '${BASE_IMAGE}', 'gcr.io/distroless/python3-debian12:nonroot', undefined],
    ]);
    expect(forGraph.stages[1].copiesFrom).toEqual([0]);
  });

  it('build args are part of the key: one ARG model for FROM in the graph and in the build', () => {
    const df = 'ARG B="alpine:3"\nFROM ${B} AS one\nFROM one\n';
    expect(parseDockerfile(df, 'D').stages[0].image).toBe('alpine:3');
    const withArg = parseDockerfile(df, 'D', { B: 'ghcr.io/acme/base:2' });
    expect(withArg.stages[0].image).toBe('ghcr.io/acme/base:2');
    expect(planBaseImage(withArg.stages, {}, [])!.ref).toBe('ghcr.io/acme/base:2');
    expect(parseDockerfile(df, 'D', { B: 'ghcr.io/acme/base:2' })).toBe(withArg);
  });

  it('a rejected Dockerfile is remembered too and throws the same error again', () => {
    let first: unknown;
    let second: unknown;
    try {
      parseDockerfile('FROM a\nBOGUS\n', 'D');
    } catch (e) {
      first = e;
    }
    try {
      parseDockerfile('FROM a\nBOGUS\n', 'D');
    } catch (e) {
      second = e;
    }
    expect(first).toBeInstanceOf(Error);
    expect(second).toBe(first);
  });
});
