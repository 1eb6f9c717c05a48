/**
 * `nx release --dry-run` plans the publish without a build of the version being released: nx release tells the
 * build and scan tasks it starts that this is a dry run (NX_DRY_RUN), so they only plan, and there is no image of
 * the new version yet. The plan names each image, the version and the tags the rules give; the digest is known
 * once container-build has run.
 */
import { runProcess } from '../boundary/process';
import { planPushTags } from '../image/push-tags';
import { resolveImageTargets } from '../registry/connect';
import { PushOptions, PushRequest, tagContextFor } from '../push/push-built-image';

export async function planUnbuiltPublish(
  req: Pick<PushRequest, 'workspaceRoot' | 'project' | 'tags'> & { options: PushOptions },
  why: string,
  deps: { env: NodeJS.ProcessEnv; log: (line: string) => void; run?: typeof runProcess },
): Promise<string[]> {
  const { options, project } = req;
  const context = await tagContextFor(req, deps.env, deps.run ?? runProcess);
  const plan = planPushTags(options, context);
  const tags = plan.tags.map((t) => t.tag);
  deps.log(`[dry-run] ${why}: the digest is known once container-build has built ${options.releaseVersion}`);
  for (const target of resolveImageTargets(options, project, deps.env))
    deps.log(`[dry-run] would push ${target.image} (built from ${options.releaseVersion}) tags: ${tags.join(', ')}`);
  return tags;
}
