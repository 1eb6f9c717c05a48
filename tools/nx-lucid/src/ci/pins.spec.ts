import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkUses, parseActionsMarkdown, PINS } from './pins';
import { policyViolations } from './policy';
import { ACTIONS_MD, ciInput, REPO_ROOT, VARIANTS } from './test-support';
import { generateWorkflows } from './workflows';

/** Every `uses:` in a workflow object, with where it is. */
function usesOf(workflow: {
  jobs?: Record<string, { steps?: Array<{ uses?: string }> }>;
}): Array<{ where: string; uses: string }> {
  return Object.entries(workflow.jobs ?? {}).flatMap(([id, job]) =>
    (job.steps ?? []).flatMap((s, i) => (s.uses ? [{ where: `${id} step ${i + 1}`, uses: s.uses }] : [])),
  );
}

const committedDir = join(REPO_ROOT, '.github', 'workflows');
const committed = () =>
  readdirSync(committedDir)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => ({ file: f, text: readFileSync(join(committedDir, f), 'utf8') }));

describe('action pins', () => {
  const table = parseActionsMarkdown(readFileSync(ACTIONS_MD, 'utf8'));

  it('the pins table in code is the one in actions.md (repository, release and SHA)', () => {
    expect(existsSync(ACTIONS_MD)).toBe(true);
    expect(table.length).toBeGreaterThanOrEqual(10);
    for (const pin of Object.values(PINS)) expect(table).toContainEqual(pin);
    expect(PINS.setupTrivy).toEqual({
      repository: 'aquasecurity/setup-trivy',
      version: 'v0.3.1',
      sha: '81e514348e19b6112ce2a7e3ecbafe19c1e1f567',
    });
  });

  it.each(VARIANTS.map((v) => [JSON.stringify(v), v]))(
    'every uses: of the generated workflows is a full SHA from actions.md: %s',
    (_l, variant) => {
      for (const [file, text] of Object.entries(generateWorkflows(ciInput(variant)))) {
        const all = usesOf(parse(text));
        expect(all.length).toBeGreaterThan(0);
        for (const u of all)
          expect([file, u.where, checkUses(u.uses, table)]).toEqual([file, u.where, { pin: expect.anything() }]);
      }
    },
  );

  it('every uses: of the committed workflows is a full SHA from actions.md, with its release as the comment', () => {
    const files = committed();
    expect(files.map((f) => f.file).sort()).toEqual([
      'containers-pr.yml',
      'containers-prune.yml',
      'containers-release.yml',
      'containers-rescan.yml',
      'containers.yml',
    ]);
    for (const { file, text } of files) {
      for (const u of usesOf(parse(text))) {
        const r = checkUses(u.uses, table);
        if (!('pin' in r)) throw new Error(`${file} ${u.where}: ${r.problem}`);
        expect(text).toContain(`uses: ${u.uses} # ${r.pin.version}`);
      }
      expect(policyViolations(parse(text))).toEqual([]);
    }
  });

  it('refuses a tag, a short SHA, an unknown SHA and an action outside the table', () => {
    const problem = (u: string) => {
      const r = checkUses(u, table);
      return 'problem' in r ? r.problem : 'accepted';
    };
    expect(problem('actions/checkout@v7')).toMatch(/not pinned by a full 40-hex commit SHA/);
    expect(problem('actions/checkout@v7.0.1')).toMatch(/not pinned/);
    expect(problem('actions/checkout@3d3c42e')).toMatch(/not pinned/);
    expect(problem('actions/checkout@3d3c42e5aac5ba805825da76410c181273ba9000')).toMatch(/not in the pins table/);
    expect(problem('aquasecurity/trivy-action@57a97c7e7821a5776cebc9bb87c984fa69cba8f1')).toMatch(
      /not in the pins table/,
    );
    expect(problem('./local-action')).toMatch(/not owner\/name/);
    expect(problem('github/codeql-action/upload-sarif@8aad20d150bbac5944a9f9d289da16a4b0d87c1e')).toBe('accepted');
  });

  it('a malformed pin row in actions.md fails loudly', () => {
    expect(() => parseActionsMarkdown('| actions/checkout | v7 | 3d3c42e | 2026 |')).toThrow(
      /malformed pin row for actions\/checkout/,
    );
    expect(parseActionsMarkdown('| action | release | commit SHA | date |\n|---|---|---|---|')).toEqual([]);
  });
});
