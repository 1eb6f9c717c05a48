/**
 * Which container projects a workspace has: one per Dockerfile (plain, `Dockerfile.<name>`, `<name>.Dockerfile`,
 * lowercase `dockerfile…`), each with its root, name, tags, build context and build args.
 */
import type { PluginOptions } from '../config/options';
import { classifyDockerfile, DockerfileFile, isComposeFile, isSkipped } from './dockerfile-files';
import { ComposeBuild, ComposeBuildBlocks, composeBuildBlocks, scanComposeFiles } from './compose';
import { declaredProjectName } from './project-analysis';
import { projectNames } from './project-names';
import type { Workspace } from './workspace-files';

export interface InferredProject {
  dockerfile: string;
  /** A plain Dockerfile's project is its folder; a variant's is the Dockerfile itself (a folder may hold several). */
  root: string;
  name: string;
  tags?: string[];
  context: string;
  buildArgs: Record<string, string>;
  /** The stage to build (projects option, else compose `build.target`); default the last. */
  target?: string;
  /** Where context and build args came from. */
  contextFrom: 'projects option' | 'compose' | 'default';
  /** false: container-build waits only for the builds of the images it FROMs, not of every project it reads. */
  waitForCopiedProjects: boolean;
  compose?: ComposeBuild;
}

export interface InferredWorkspace {
  projects: InferredProject[];
  /** Compose build blocks that name no usable Dockerfile. */
  composeProblems: string[];
}

export function projectRootFor(file: DockerfileFile): string {
  return file.variant === undefined ? file.folder : file.path;
}

export function inferContainerProjects(
  workspaceRoot: Workspace,
  files: readonly string[],
  options: PluginOptions,
  /** How a compose file's text becomes its build blocks (createNodes: through the on-disk cache). */
  composeBlocks: (text: string) => ComposeBuildBlocks = composeBuildBlocks,
): InferredWorkspace {
  const dockerfiles = files
    .map((f) => classifyDockerfile(f, options.skipDockerfiles))
    .filter((f): f is DockerfileFile => f !== null);
  // Compose files under skipped folders (node_modules, dist, …) are not read either.
  const composeFiles = options.compose
    ? files.filter((f) => isComposeFile(f) && !isSkipped(f, options.skipDockerfiles))
    : [];
  const compose = scanComposeFiles(workspaceRoot, composeFiles, composeBlocks);
  const fixed = new Map<string, string>();
  for (const f of dockerfiles) {
    const name =
      options.projects[f.path]?.name ??
      (f.variant === undefined ? declaredProjectName(workspaceRoot, f.folder) : undefined);
    if (name) fixed.set(f.path, name);
  }
  const names = projectNames(dockerfiles, fixed);
  const projects = dockerfiles.map((f): InferredProject => {
    const configured = options.projects[f.path];
    const build = compose.builds.get(f.path);
    const contextFrom = configured?.context !== undefined ? 'projects option' : build ? 'compose' : 'default';
    const context = configured?.context ?? build?.context ?? options.buildContext;
    const target = configured?.target ?? build?.target;
    return {
      dockerfile: f.path,
      root: projectRootFor(f),
      name: names.get(f.path)!,
      ...(configured?.tags ? { tags: configured.tags } : {}),
      context: context.replace(/^\.\/+/, '').replace(/\/+$/, '') || '.',
      buildArgs: { ...(build?.buildArgs ?? {}), ...(configured?.buildArgs ?? {}) },
      ...(target ? { target } : {}),
      contextFrom,
      waitForCopiedProjects: configured?.waitForCopiedProjects ?? options.waitForCopiedProjects,
      ...(build ? { compose: build } : {}),
    };
  });
  return { projects, composeProblems: compose.problems };
}
