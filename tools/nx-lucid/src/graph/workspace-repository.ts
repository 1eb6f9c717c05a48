/** The workspace's default image repository when the plugin options name none (rules: src/config/repository.ts). */
import { gitMaybe } from '../boundary/git';
import { defaultRepository, RepositorySource } from '../config/repository';

/** Configured, else GITHUB_REPOSITORY, else the origin remote's owner/name, with where it came from; or undefined. */
export async function findWorkspaceRepository(
  workspaceRoot: string,
  configured: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ repository: string; source: RepositorySource } | undefined> {
  const known = defaultRepository({ configured, env });
  if (known) return known;
  const originUrl = await gitMaybe(workspaceRoot, ['remote', 'get-url', 'origin']);
  return defaultRepository({ env, originUrl });
}

export async function workspaceRepository(
  workspaceRoot: string,
  configured: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  return (await findWorkspaceRepository(workspaceRoot, configured, env))?.repository;
}
