/**
 * `nx release version` for the Python services: the version lives in each service's pyproject.toml.
 * nx.json: "release": { "version": { "versionActions": "@lucid/nx-lucid/release/version-actions" } }.
 * Services do not depend on each other's versions (images are pinned by digest), so dependency
 * updates are a no-op.
 */
import { joinPathFragments, type Tree } from '@nx/devkit';
import { VersionActions } from 'nx/release';
import { readPyprojectVersion, writePyprojectVersion } from './pyproject-version';

export const PYPROJECT = 'pyproject.toml';

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
    return [`✍️  New version ${newVersion} written to ${path}`];
  }

  async updateProjectDependencies(): Promise<string[]> {
    return [];
  }
}
