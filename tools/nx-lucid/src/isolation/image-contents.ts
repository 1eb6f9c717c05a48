/**
 * What each image contains, for the isolation rules: the files its Dockerfile reads from the build context (in
 * the stages a build of its target runs), owned by the project whose root holds them — a variant project
 * (`Dockerfile.<name>`) owns its Dockerfile, so reading its folder reads it — or by a tagged path; and the images it
 * FROMs, whose contents it holds too. Reading a folder reads its files, not what that folder's own Dockerfile
 * builds: a read is a leaf, only a FROM chains.
 */
import { posix } from 'node:path';
import type { CopySource } from '../dockerfile/model';
import { stagesForTarget } from '../dockerfile/stages';
import { imageKey, projectsForPath } from '../graph/create-dependencies';
import { analyzeContainerProject } from '../graph/project-analysis';
import type { Workspace } from '../graph/workspace-files';

export interface ContainerBuildSpec {
  dockerfile: string;
  context: string;
  buildArgs: Record<string, string>;
  target?: string;
  /** The image the project's build names (registry/repository/name), so a FROM of it is found; none without a repository. */
  image?: string;
}

export interface ContentsProject {
  root: string;
  build?: ContainerBuildSpec;
}

export interface ContentEdge {
  /** A project name, or a tagged path (a key of pathTags). */
  target: string;
  /** false: a read of files, which holds nothing more; true: a FROM, which holds what that image holds. */
  transitive: boolean;
  /** `Dockerfile:line: INSTRUCTION source`. */
  site: string;
}

const GLOB = /[*?[]/;

/** Whether a read of `path` (workspace-relative, maybe a glob) reads something in the folder `folder`. */
export function readsInto(path: string, folder: string): boolean {
  if (path === '.' || path === folder || path.startsWith(`${folder}/`) || folder.startsWith(`${path}/`)) return true;
  if (!GLOB.test(path)) return false;
  const { minimatch } = require('minimatch') as typeof import('minimatch');
  const p = path.split('/');
  const f = folder.split('/');
  return p.slice(0, f.length).every((segment, i) => segment === '**' || minimatch(f[i], segment, { dot: true }));
}

function readEdges(
  name: string,
  sources: Array<{ source: CopySource; path: string }>,
  roots: Array<{ name: string; root: string }>,
  pathTags: Record<string, string[]>,
  dockerfile: string,
): ContentEdge[] {
  const edges: ContentEdge[] = [];
  for (const { source, path } of sources) {
    const site = `${dockerfile}:${source.line}: ${source.instruction} ${source.path}`;
    for (const owner of projectsForPath(path, roots))
      if (owner !== name) edges.push({ target: owner, transitive: false, site });
    for (const folder of Object.keys(pathTags))
      if (readsInto(path, folder.replace(/\/+$/, ''))) edges.push({ target: folder, transitive: false, site });
  }
  return edges;
}

/** Per project with a build: what its image reads and FROMs, each with its Dockerfile line. */
export function imageContents(
  workspace: Workspace,
  projects: Record<string, ContentsProject>,
  pathTags: Record<string, string[]> = {},
): Map<string, ContentEdge[]> {
  const roots = Object.entries(projects).map(([name, p]) => ({ name, root: p.root }));
  const byImage = new Map<string, string>();
  for (const [name, p] of Object.entries(projects)) {
    const key = p.build?.image ? imageKey(p.build.image) : undefined;
    if (key) byImage.set(key, name);
  }
  const contents = new Map<string, ContentEdge[]>();
  for (const [name, p] of Object.entries(projects)) {
    if (!p.build) continue;
    const b = p.build;
    const { image: _image, ...spec } = b;
    const analysed = analyzeContainerProject(workspace, { root: p.root, ...spec });
    if (!analysed.analysis) continue;
    const built = stagesForTarget(analysed.analysis.stages, b.target) ?? new Set<number>();
    const sources = analysed.analysis.contextSources
      .map((source, i) => ({ source, path: analysed.sources[i] ?? posix.join(b.context, source.path) }))
      .filter((s) => built.has(s.source.stage));
    const edges = readEdges(name, sources, roots, pathTags, b.dockerfile);
    for (const stage of analysed.analysis.stages) {
      const key = built.has(stage.index) && !stage.fromStage ? imageKey(stage.image) : undefined;
      const owner = key ? byImage.get(key) : undefined;
      if (owner && owner !== name)
        edges.push({ target: owner, transitive: true, site: `${b.dockerfile}:${stage.line}: FROM ${stage.image}` });
    }
    contents.set(name, edges);
  }
  return contents;
}
