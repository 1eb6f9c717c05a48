/** Writes the isolation target init sets up into the root project.json (made when there is none). */
import type { Tree } from '@nx/devkit';
import { ISOLATION_TARGET, IsolationSetup } from '../../../isolation/adoption-setup';

/** Returns the line init prints about it. An isolation target already there is the user's: left as it is. */
export function writeIsolationTarget(tree: Tree, setup: IsolationSetup): string {
  const file = 'project.json';
  const existing = tree.exists(file) ? JSON.parse(tree.read(file, 'utf-8') ?? '{}') : undefined;
  const project = existing ?? { name: 'workspace', $schema: 'node_modules/nx/schemas/project-schema.json', tags: [] };
  const name = project.name ?? 'workspace';
  if (project.targets?.[ISOLATION_TARGET])
    return `isolation: ${file} already has an "${ISOLATION_TARGET}" target; left as it is`;
  project.targets = {
    ...(project.targets ?? {}),
    [ISOLATION_TARGET]: {
      executor: '@lucid/nx-lucid:isolation',
      options: { rules: setup.rules, pathTags: setup.pathTags },
    },
  };
  tree.write(file, `${JSON.stringify(project, null, 2)}\n`);
  const folders = Object.keys(setup.pathTags);
  return `isolation: ${setup.rules.length} rule(s) and ${folders.length} tagged folder(s) in ${file}; run: nx run ${name}:${ISOLATION_TARGET}`;
}
