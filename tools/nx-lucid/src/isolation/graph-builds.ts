/** The container builds of a project graph, as the image-contents reading needs them. */
import type { ProjectGraph } from '@nx/devkit';
import { normalizePluginOptions } from '../config/options';
import type { ContentsProject } from './image-contents';

const BUILD_EXECUTOR = '@lucid/nx-lucid:build';

/** Every project with its root, and the build options of its `@lucid/nx-lucid:build` target if it has one. */
export function containerBuildsOf(graph: ProjectGraph): Record<string, ContentsProject> {
  // Inferred options leave out values equal to the defaults: the image name falls back to them.
  const defaults = normalizePluginOptions({});
  const out: Record<string, ContentsProject> = {};
  for (const [name, node] of Object.entries(graph.nodes)) {
    const target = Object.values(node.data.targets ?? {}).find((t) => t.executor === BUILD_EXECUTOR);
    const o = (target?.options ?? {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    const dockerfile = str(o.dockerfile);
    out[name] = { root: node.data.root };
    if (!dockerfile) continue;
    // createNodes puts the repository it worked out into the options; without one no FROM can name this image.
    const repository = str(o.repository) ?? defaults.repository;
    out[name].build = {
      dockerfile,
      context: str(o.context) ?? '.',
      buildArgs: (o.buildArgs as Record<string, string> | undefined) ?? {},
      ...(str(o.target) ? { target: str(o.target) } : {}),
      ...(repository ? { image: `${str(o.registry) ?? defaults.registry}/${repository}/${name}` } : {}),
    };
  }
  return out;
}
