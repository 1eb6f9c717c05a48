/**
 * Small checks the options schemas share, each with a message that says what is wrong and what is expected:
 * workspace-relative paths that stay inside the workspace, target and branch names, registry mirrors, platform
 * lists without repeats, image references. Pure (zod refinements).
 */
import { posix } from 'node:path';
import { z } from 'zod';

/** Whether a workspace-relative path stays inside the workspace (no absolute path, no climb out with ..). */
export function staysInWorkspace(path: string): boolean {
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.includes('\\')) return false;
  const normal = posix.normalize(path);
  return normal !== '..' && !normal.startsWith('../');
}

/** A path relative to the workspace root that must stay inside it. */
export const workspacePathSchema = z
  .string()
  .min(1, 'must not be empty: give a workspace-relative path')
  .refine((p) => !/[\0\n\r]/.test(p), 'must not contain NUL or line breaks')
  .refine(staysInWorkspace, {
    message: 'must stay inside the workspace: give a workspace-relative path without a leading / or ..',
  });

/** An Nx target name: no whitespace, no colon (Nx reads project:target:configuration). */
export const targetNameSchema = z
  .string()
  .min(1, 'a target name must not be empty')
  .regex(/^[^\s:]*$/, 'a target name must not contain whitespace or ":"');

/** A git branch name (git check-ref-format's rules, in short). */
export const branchNameSchema = z
  .string()
  .min(1, 'a branch name must not be empty')
  .refine(
    (b) => !/[\s~^:?*[\\]|\.\.|@\{|^[-/.]|[/.]$|\.lock$|\/\//.test(b),
    'not a valid git branch name (no whitespace, ~ ^ : ? * [ \\, "..", "@{", leading - / . or trailing / . .lock)',
  );

/** A mirror: host[:port][/path], as a registry name without scheme, e.g. mirror.example:5000/gcr.io. */
export const mirrorSchema = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/,
    'a mirror is host[:port][/path] without a scheme or spaces, e.g. mirror.example:5000/gcr.io',
  );

/** A list without repeated items: each one's first repeat is named. */
export function withoutRepeats<T extends z.ZodType<string[]>>(schema: T, what: string) {
  return schema.superRefine((items, ctx) => {
    const seen = new Set<string>();
    for (const [i, item] of items.entries()) {
      if (!seen.has(item)) {
        seen.add(item);
        continue;
      }
      ctx.addIssue({ code: 'custom', path: [i], message: `${what} ${item} is listed more than once` });
      return; // one message, not 10,000
    }
  });
}
