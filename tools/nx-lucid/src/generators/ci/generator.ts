import type { Tree } from '@nx/devkit';

/** Placeholder until the ci generator lands: it fails loudly and writes nothing. */
export default async function notBuiltYet(_tree: Tree): Promise<void> {
  throw new Error('@lucid/nx-lucid:ci is not built yet; nothing was written.');
}
