/** What container-build --dry-run prints (pure). */
import { formatCommand } from '../boundary/process';
import type { PreparedBuild } from './build-request';

/** A multi-line error on one line: its first line and, when it differs, its last (the tool's own reason). */
export function briefly(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length > 1 ? `${lines[0]} ${lines[lines.length - 1]}` : (lines[0] ?? '');
}

export function dryRunLines(prepared: PreparedBuild): string[] {
  return prepared.commands.map(
    (c) =>
      `${Object.entries(c.env ?? {})
        .map(([k, v]) => `${k}=${formatCommand(v, [])} `)
        .join('')}${formatCommand(c.command, c.args)}`,
  );
}

/** Everything a dry run prints: the commands, what was not resolved, what would be written. */
export function dryRunReport(project: string, cwd: string, outputPath: string, prepared: PreparedBuild): string[] {
  return [
    ...prepared.files.flatMap((f) => [
      `[dry-run] ${project}: would write ${f.path} (${f.why}):`,
      ...f.content
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    ]),
    `[dry-run] ${project}: would run (cwd ${cwd}):`,
    ...dryRunLines(prepared),
    ...prepared.unresolved.map((u) => `[dry-run] not resolved: ${u}`),
    `[dry-run] then assemble ${outputPath}/oci and write ${outputPath}/metadata.json; nothing was built`,
  ];
}
