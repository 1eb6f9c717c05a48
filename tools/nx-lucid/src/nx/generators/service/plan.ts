/**
 * What the service generator checks and decides before it writes anything: the name, scope and description it
 * accepts, and which shared libraries the new image copies.
 */
import { getProjects, joinPathFragments, Tree } from '@nx/devkit';

const NAME_HELP = 'use lowercase letters, digits and single dashes, starting with a letter (e.g. billing-service)';
const NOTHING_WRITTEN = 'Nothing was written.';

export interface ServicePlan {
  name: string;
  scope: string;
  description: string;
  /** apps/<name> */
  root: string;
  /** Libraries the image copies: lucid-common and <scope>-common, each only when the workspace has its sources. */
  libs: string[];
  /** Whether lucid-common's sources are here: the service uses its HTTP server, else a self-contained one. */
  hasLucidCommon: boolean;
}

/** Why a service name is unusable, or null. Names become a folder, an Nx project, a tag and an image name. */
export function serviceNameProblem(name: string): string | null {
  if (name.length === 0) return 'the name is empty';
  if (name.length > 63) return 'longer than 63 characters';
  if (/[/\\]|\.\./.test(name)) return 'it contains a path separator or ".."';
  if (/\s/.test(name)) return 'it contains whitespace';
  if (/[A-Z]/.test(name)) return 'it contains uppercase letters (image names must be lowercase)';
  if (/^[0-9]/.test(name)) return 'it starts with a digit';
  if (/^-/.test(name)) return 'it starts with a dash';
  if (/-$/.test(name)) return 'it ends with a dash';
  if (/--/.test(name)) return 'it contains consecutive dashes';
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) return 'it contains characters other than a-z, 0-9 and -';
  return null;
}

/** The new service's plan, or a specific error (and nothing written) for a bad name, scope, description or clash. */
export function planService(tree: Tree, options: { name: string; scope?: string; description?: string }): ServicePlan {
  const name = options.name;
  const nameProblem = serviceNameProblem(name);
  if (nameProblem) throw new Error(`invalid service name "${name}": ${nameProblem}; ${NAME_HELP}. ${NOTHING_WRITTEN}`);
  const scope = options.scope ?? name;
  const scopeProblem = serviceNameProblem(scope);
  if (scopeProblem)
    throw new Error(
      `invalid scope "${scope}": ${scopeProblem}; ${NAME_HELP.replace('billing-service', 'payments')}. ${NOTHING_WRITTEN}`,
    );
  const description = options.description ?? `${name} service`;
  if (!/^[^"\\`\u0000-\u001f]{1,200}$/.test(description)) {
    throw new Error(
      `invalid description: one line of at most 200 characters, without quotes, backslashes or backticks. ${NOTHING_WRITTEN}`,
    );
  }

  const projects = getProjects(tree);
  const existing = projects.get(name);
  if (existing)
    throw new Error(
      `a project named "${name}" already exists (${existing.root}); choose another name. ${NOTHING_WRITTEN}`,
    );
  const root = joinPathFragments('apps', name);
  if (tree.exists(root)) throw new Error(`${root} already exists; choose another name. ${NOTHING_WRITTEN}`);

  // Shared code the image copies, each only where this workspace has its sources (COPY of a missing folder fails
  // the build): libs/lucid-common, and libs/<scope>-common for the scope (e.g. tron, blockchain).
  const hasSources = (project: string) => {
    const lib = projects.get(project);
    return !!lib && tree.exists(joinPathFragments(lib.root, 'src'));
  };
  const libs = [...new Set(['lucid-common', `${scope}-common`])].filter(hasSources);
  return { name, scope, description, root, libs, hasLucidCommon: libs.includes('lucid-common') };
}
