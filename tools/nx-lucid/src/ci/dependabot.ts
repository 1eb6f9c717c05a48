/**
 * .github/dependabot.yml: Dependabot proposes moving the github-actions pins (it rewrites the SHA and the
 * version comment). The workflows are generated, so such a pull request is the prompt to move the pin in
 * pins.ts (and src/ci/actions.md) and regenerate: the staleness test fails until that is done.
 * Other ecosystems already in the file are kept as they are.
 */
import { parse } from 'yaml';
import { renderYaml } from './render';

export const DEPENDABOT_FILE = 'dependabot.yml';

const ACTIONS_UPDATE = {
  'package-ecosystem': 'github-actions',
  directory: '/',
  schedule: { interval: 'weekly' },
  groups: { actions: { patterns: ['*'] } },
  'commit-message': { prefix: 'ci' },
};

export function generateDependabot(existing?: string): string {
  let updates: unknown[] = [];
  if (existing) {
    const parsed = parse(existing) as { version?: number; updates?: unknown[] } | null;
    if (parsed && (parsed.version !== 2 || !Array.isArray(parsed.updates ?? []))) {
      throw new Error(
        '.github/dependabot.yml is not a version 2 Dependabot config with an updates list; fix or remove it first',
      );
    }
    updates = (parsed?.updates ?? []).filter(
      (u) => (u as { 'package-ecosystem'?: string })?.['package-ecosystem'] !== 'github-actions',
    );
  }
  return renderYaml({ version: 2, updates: [ACTIONS_UPDATE, ...updates] }, [
    '# github-actions entry written by `nx g @lucid/nx-lucid:ci`: it proposes new pins; move them in the',
    '# generator (src/ci/pins.ts) and regenerate. Other entries are yours and kept.',
  ]);
}
