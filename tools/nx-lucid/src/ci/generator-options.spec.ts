import { normalizeCliArrays, recordedOptions } from './generator-options';

describe('ci generator options from the CLI', () => {
  it('splits --phases given as "1,3", 2 or ["1", "3,4"] into numbers, keeping a non-numeric entry for zod to refuse', () => {
    expect(normalizeCliArrays({ phases: '1,3' })).toEqual({ phases: [1, 3] });
    expect(normalizeCliArrays({ phases: 2 })).toEqual({ phases: [2] });
    expect(normalizeCliArrays({ phases: ['1', '3, 4', ''] })).toEqual({ phases: [1, 3, 4] });
    expect(normalizeCliArrays({ phases: ['x'] })).toEqual({ phases: ['x'] });
    expect(normalizeCliArrays(undefined)).toBeUndefined();
  });

  it('records only what was passed and is an option, sorted', () => {
    expect(
      recordedOptions({ sequentialPhases: true, phases: '2', arm64: undefined, interactive: false }, [
        'phases',
        'arm64',
        'sequentialPhases',
      ]),
    ).toEqual({ phases: [2], sequentialPhases: true });
    expect(Object.keys(recordedOptions({ b: 1, a: 2 }, ['a', 'b']))).toEqual(['a', 'b']);
  });
});
