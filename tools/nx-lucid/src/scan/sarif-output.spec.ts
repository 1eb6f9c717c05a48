import { evaluateGate, DEFAULT_POLICY } from './gate';
import { NO_IGNORES } from './ignore-file';
import { toSarif } from './sarif';
import { failingResults, fitSarif, GITHUB_SARIF_LIMITS } from './sarif-limits';
import { fittedBuiltInSarif } from './sarif-output';
import { fixture, jsonFixtureNames } from './test-support';

/** The built-in SARIF fitted in one step is the file that writing it whole and fitting that file gives. */
describe('fittedBuiltInSarif', () => {
  const small = { ...GITHUB_SARIF_LIMITS, resultsPerRun: 2, gzippedBytes: 1_500 };
  it.each(jsonFixtureNames())('%s: same bytes as write-then-fit, cut or not', (name) => {
    const report = fixture(name);
    const mustKeep = failingResults(evaluateGate(report, DEFAULT_POLICY).failing);
    const written = JSON.stringify(toSarif(report, NO_IGNORES, '0.50.0'), null, 2) + '\n';
    for (const limits of [GITHUB_SARIF_LIMITS, small]) {
      const fitted = fitSarif(written, mustKeep, limits);
      const oneStep = fittedBuiltInSarif(report, NO_IGNORES, '0.50.0', mustKeep, limits);
      expect(oneStep.text).toBe(fitted.text ?? written);
      expect(oneStep.cut).toEqual(fitted.cut);
    }
  });
});
