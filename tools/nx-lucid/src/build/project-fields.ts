/** A project's version and description: pyproject.toml first, else package.json. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageJsonField, pyprojectField } from '../image/labels';

export function projectField(
  workspaceRoot: string,
  projectRoot: string,
  field: 'version' | 'description',
): string | undefined {
  const pyproject = join(workspaceRoot, projectRoot, 'pyproject.toml');
  if (existsSync(pyproject)) {
    const v = pyprojectField(readFileSync(pyproject, 'utf8'), field);
    if (v) return v;
  }
  const pkg = join(workspaceRoot, projectRoot, 'package.json');
  return existsSync(pkg) ? packageJsonField(readFileSync(pkg, 'utf8'), field) : undefined;
}
