/**
 * `nx release version` for the Python services: the version lives in each service's pyproject.toml.
 * nx.json "release.version.versionActions": "tools/nx-lucid/src/release/pyproject-version-actions.ts" here;
 * "@lucid/nx-lucid/dist/src/release/pyproject-version-actions" where the package is installed.
 * Services do not depend on each other's versions (images are pinned by digest), so dependency
 * updates are a no-op.
 */
import { joinPathFragments, type Tree } from '@nx/devkit';
import { type AfterAllProjectsVersioned, VersionActions } from 'nx/release';
import { readPyprojectVersion, writePyprojectVersion } from './pyproject-version';

export const PYPROJECT = 'pyproject.toml';

/** The pyproject.toml files this process wrote a new version to (for afterAllProjectsVersioned). */
const written = new Set<string>();

type ContextUpdate = (root: string, created: string[], updated: string[], deleted: string[]) => Promise<void>;

/**
 * `nx release` publishes in the same process right after versioning, and Nx hashes the publish task's
 * dependencies (container-build reads pyproject.toml) from the file hashes it took before the version was
 * written: the old build would be a cache hit. Nx's own watcher hook tells its workspace context (or the daemon)
 * which files changed, so the build is hashed, and rebuilt, from the released version.
 */
export const afterAllProjectsVersioned: AfterAllProjectsVersioned = async (cwd, { dryRun }) => {
  const files = [...written];
  written.clear();
  if (!dryRun && files.length) {
    const context = require('nx/src/utils/workspace-context') as { updateContextWithChangedFiles: ContextUpdate };
    await context.updateContextWithChangedFiles(cwd, [], files, []);
  }
  return { changedFiles: [], deletedFiles: [] };
};

export default class PyprojectVersionActions extends VersionActions {
  validManifestFilenames = [PYPROJECT];

  private manifestPath(): string {
    return joinPathFragments(this.projectGraphNode.data.root, PYPROJECT);
  }

  async readCurrentVersionFromSourceManifest(
    tree: Tree,
  ): Promise<{ currentVersion: string; manifestPath: string } | null> {
    const path = this.manifestPath();
    const text = tree.read(path, 'utf-8');
    if (text === null) return null;
    return { currentVersion: readPyprojectVersion(text, path).version, manifestPath: path };
  }

  async readCurrentVersionFromRegistry(): Promise<{ currentVersion: string | null; logText: string } | null> {
    // The registry's semver tags are what `container-release list` shows; nx release reads disk or git tags.
    return null;
  }

  async readCurrentVersionOfDependency(): Promise<{
    currentVersion: string | null;
    dependencyCollection: string | null;
  }> {
    return { currentVersion: null, dependencyCollection: null };
  }

  async updateProjectVersion(tree: Tree, newVersion: string): Promise<string[]> {
    const path = this.manifestPath();
    const text = tree.read(path, 'utf-8');
    if (text === null) throw new Error(`${path} not found: the service's version lives there`);
    tree.write(path, writePyprojectVersion(text, path, newVersion));
    written.add(path);
    return [`✍️  New version ${newVersion} written to ${path}`];
  }

  async updateProjectDependencies(): Promise<string[]> {
    return [];
  }
}
