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
    const written = JSON.stringify(toSarif(report, NO_IGNORES, '0.50.0'), null, 2) + '\n';
    // With ignoreUnfixed the gate's findings differ from the SARIF's: they must not be reused.
    for (const policy of [DEFAULT_POLICY, { ...DEFAULT_POLICY, ignoreUnfixed: true }]) {
      const gate = evaluateGate(report, policy);
      for (const limits of [GITHUB_SARIF_LIMITS, small]) {
        const fitted = fitSarif(written, failingResults(gate.failing), limits);
        const oneStep = fittedBuiltInSarif(report, NO_IGNORES, '0.50.0', gate, limits);
        expect(oneStep.text).toBe(fitted.text ?? written);
        expect(oneStep.cut).toEqual(fitted.cut);
      }
    }
  });
});
