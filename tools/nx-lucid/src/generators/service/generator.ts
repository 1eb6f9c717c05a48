import type { Tree } from '@nx/devkit';

/** Placeholder until the service generator lands: it fails loudly and writes nothing. */
export default async function notBuiltYet(_tree: Tree): Promise<void> {
  throw new Error('@lucid/nx-lucid:service is not built yet; nothing was written.');
}
