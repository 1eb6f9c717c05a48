import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushSummaryMarkdown, writePushSummary } from './push-summary';

const D = `sha256:${'d'.repeat(64)}`;
const plan = {
  tags: [
    { tag: 'v1.2.0', rule: 'type=pep440,pattern={{version}},prefix=v', reason: 'version 1.2.0', immutable: true },
    { tag: 'latest', rule: 'type=latest,when=branch', reason: 'on main', immutable: false },
  ],
  skipped: [],
  version: { main: 'v1.2.0', partial: [], latest: true },
};

describe('the push job summary', () => {
  it('lists each registry’s image and digest, and every pushed tag with its rule', () => {
    const md = pushSummaryMarkdown(
      'api',
      [
        { image: 'a.test/lucid/api', digest: D, tags: ['v1.2.0', 'latest'] },
        { image: 'b.test/lucid/api', digest: D, tags: ['v1.2.0', 'latest'] },
      ],
      plan,
    );
    expect(md).toContain('### api: pushed');
    expect(md).toContain(`| \`a.test/lucid/api\` | \`${D}\` |`);
    expect(md).toContain(`| \`b.test/lucid/api\` | \`${D}\` |`);
    expect(md).toContain('| `v1.2.0` | `type=pep440,pattern={{version}},prefix=v` | version 1.2.0 (immutable) |');
    expect(md).toContain('| `latest` | `type=latest,when=branch` | on main |');
  });

  it('appends to $GITHUB_STEP_SUMMARY (after what is there), and only without --dry-run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'summary-'));
    try {
      const file = join(dir, 'summary.md');
      const lines: string[] = [];
      writePushSummary(
        { GITHUB_STEP_SUMMARY: file },
        () => 'one\n',
        false,
        (l) => lines.push(l),
      );
      writePushSummary(
        { GITHUB_STEP_SUMMARY: file },
        () => 'two\n',
        false,
        (l) => lines.push(l),
      );
      writePushSummary(
        { GITHUB_STEP_SUMMARY: file },
        () => 'three\n',
        true,
        (l) => lines.push(l),
      );
      writePushSummary(
        {},
        () => 'four\n',
        false,
        (l) => lines.push(l),
      );
      expect(readFileSync(file, 'utf8')).toBe('one\ntwo\n');
      expect(lines).toEqual(['[dry-run] would append the pushed tags and digests to $GITHUB_STEP_SUMMARY']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
