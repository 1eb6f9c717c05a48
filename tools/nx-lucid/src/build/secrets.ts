/**
 * Build secrets (--secret id=…,src=… | id=…,env=…): checked before the engine starts, and their values known only
 * to redact them from the engine's streamed output. A value never enters argv, the plan, a log or an error.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { BuildSecret } from './engines/engine';

/** What is wrong with the secrets, one problem each (nothing names a value). */
export function secretProblems(
  secrets: readonly BuildSecret[],
  workspaceRoot: string,
  env: NodeJS.ProcessEnv,
): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const s of secrets) {
    if (ids.has(s.id)) problems.push(`secret id "${s.id}" is given twice`);
    ids.add(s.id);
    if (s.src !== undefined) {
      const path = isAbsolute(s.src) ? s.src : join(workspaceRoot, s.src);
      if (!existsSync(path) || !statSync(path).isFile()) problems.push(`secret ${s.id}: file ${s.src} does not exist`);
    } else if (s.env !== undefined && env[s.env] === undefined) {
      problems.push(`secret ${s.id}: environment variable ${s.env} is not set`);
    }
  }
  return problems;
}

/** The secrets' values (env values, small files' contents), for redaction only. */
export function secretValues(secrets: readonly BuildSecret[], workspaceRoot: string, env: NodeJS.ProcessEnv): string[] {
  return secrets.flatMap((s) => {
    if (s.env !== undefined) return env[s.env] ? [env[s.env]!] : [];
    const path = isAbsolute(s.src!) ? s.src! : join(workspaceRoot, s.src!);
    try {
      if (statSync(path).size > 65536) return [];
      const text = readFileSync(path, 'utf8');
      return [text, text.trim()].filter((t) => t.length >= 4);
    } catch {
      return [];
    }
  });
}
