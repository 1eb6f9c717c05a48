/**
 * The default image repository (images are <registry>/<repository>/<project>) of a workspace that configures
 * none: the user's own repository, never this plugin's. Order: `repository` in the plugin options, else
 * GITHUB_REPOSITORY (GitHub Actions), else the `origin` git remote's path (owner/name), lower-cased as registries
 * require. Pure: the caller reads the remote (src/graph/workspace-repository.ts).
 */

export type RepositorySource = 'configuration' | 'GITHUB_REPOSITORY' | 'git remote origin';

/** What a build, push or release says when no repository can be worked out. */
export const MISSING_REPOSITORY =
  'no image repository: set "repository" in the @lucid/nx-lucid plugin options in nx.json (e.g. "acme/shop"; ' +
  'images are <registry>/<repository>/<project>), or LUCID_REPOSITORY, or add a git remote named origin ' +
  '(its owner/name is used; on GitHub Actions GITHUB_REPOSITORY is)';

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** owner/name (lower-cased) as a registry repository, or undefined when it is not a valid one. */
function asRepository(path: string): string | undefined {
  const parts = path
    .replace(/\.git\/?$/, '')
    .replace(/\/+$/, '')
    .toLowerCase()
    .split('/')
    .filter(Boolean);
  return parts.length >= 2 && parts.every((p) => PATH_COMPONENT.test(p)) ? parts.join('/') : undefined;
}

/**
 * The repository path of a git remote URL, lower-cased: https://github.com/Acme/Shop.git → acme/shop;
 * git@gitlab.com:group/sub/app.git → group/sub/app. undefined for a local path or a URL without owner/name.
 */
export function repositoryFromRemoteUrl(url: string): string | undefined {
  const remote = url.trim();
  const scpLike = remote.match(/^[^@/\s]+@[^:/\s]+:(?!\/)(.+)$/);
  if (scpLike) return asRepository(scpLike[1]);
  const withScheme = remote.match(/^(?:https?|ssh|git):\/\/[^/]+\/(.+)$/);
  return withScheme ? asRepository(withScheme[1]) : undefined;
}

export interface DefaultRepositoryInput {
  configured?: string;
  env: NodeJS.ProcessEnv;
  /** `git remote get-url origin`, or undefined (no checkout, no origin). */
  originUrl?: string;
}

/** The repository and where it came from, or undefined when nothing names one. */
export function defaultRepository(
  input: DefaultRepositoryInput,
): { repository: string; source: RepositorySource } | undefined {
  if (input.configured) return { repository: input.configured, source: 'configuration' };
  const fromActions = input.env.GITHUB_REPOSITORY ? asRepository(input.env.GITHUB_REPOSITORY) : undefined;
  if (fromActions) return { repository: fromActions, source: 'GITHUB_REPOSITORY' };
  const fromRemote = input.originUrl ? repositoryFromRemoteUrl(input.originUrl) : undefined;
  return fromRemote ? { repository: fromRemote, source: 'git remote origin' } : undefined;
}

/** The repository a run uses, or the error that asks for one. */
export function requireRepository(repository: string | undefined, what: string): string {
  if (!repository) throw new Error(`${what}: ${MISSING_REPOSITORY}`);
  return repository;
}
