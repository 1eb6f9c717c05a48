/**
 * The push's section of GitHub's job summary ($GITHUB_STEP_SUMMARY): per service, each registry's image and
 * index digest, and every tag with the rule that made it. Written after the push; a dry-run only says it would.
 */
import { appendText } from '../boundary/files';
import type { TagPlan } from '../image/tag-rules';

export interface PushedImage {
  image: string;
  digest: string;
  tags: readonly string[];
}

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

export function pushSummaryMarkdown(project: string, pushed: readonly PushedImage[], plan: TagPlan): string {
  const ruleOf = new Map(plan.tags.map((t) => [t.tag, t]));
  const lines = [`### ${project}: pushed`, '', '| image | digest |', '| --- | --- |'];
  for (const p of pushed) lines.push(`| ${code(p.image)} | ${code(p.digest)} |`);
  lines.push('', '| tag | rule | why |', '| --- | --- | --- |');
  for (const tag of pushed[0]?.tags ?? []) {
    const planned = ruleOf.get(tag);
    const why = planned ? `${planned.reason}${planned.immutable ? ' (immutable)' : ''}` : '';
    lines.push(`| ${code(tag)} | ${planned ? code(planned.rule) : ''} | ${why.replace(/\|/g, '\\|')} |`);
  }
  return `${lines.join('\n')}\n\n`;
}

/** Appends the section when GITHUB_STEP_SUMMARY is set; on a dry-run, logs that it would. */
export function writePushSummary(
  env: NodeJS.ProcessEnv,
  section: () => string,
  dryRun: boolean,
  log: (line: string) => void,
): void {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  if (dryRun) log('[dry-run] would append the pushed tags and digests to $GITHUB_STEP_SUMMARY');
  else appendText(file, section());
}
