import type { ExecutorContext } from '@nx/devkit';

/** Placeholder until the push executor lands: it fails loudly rather than pretend to succeed. */
export default async function notBuiltYet(_options: unknown, context: ExecutorContext): Promise<{ success: boolean }> {
  throw new Error(`@lucid/nx-lucid:push is not built yet (project ${context.projectName}); nothing was done.`);
}
