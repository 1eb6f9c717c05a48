/** The one way the repo asks git something: argument arrays through the process boundary, output trimmed. */
import { runProcess } from './process';

/** git's stdout; throws (with git's stderr) when git fails. */
export async function git(cwd: string, args: readonly string[], timeoutMs?: number): Promise<string> {
  return (await runProcess('git', args, { cwd, timeoutMs })).stdout;
}

/** git's trimmed stdout, or undefined when git fails, prints nothing, or is not installed (same as not a checkout). */
export async function gitMaybe(cwd: string, args: readonly string[], timeoutMs = 10000): Promise<string | undefined> {
  try {
    const r = await runProcess('git', args, { cwd, allowFailure: true, timeoutMs });
    return r.exitCode === 0 ? r.stdout.trim() || undefined : undefined;
  } catch {
    return undefined;
  }
}
