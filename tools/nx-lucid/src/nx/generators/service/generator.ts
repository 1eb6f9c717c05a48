import { generateFiles, joinPathFragments, logger, Tree } from '@nx/devkit';
import { join } from 'node:path';
import { CONTAINERS_WORKFLOW, readRecordedOptions } from '../../../ci/workflows';
import { parseOptionsWith } from '../../../config/options';
import { planService } from './plan';
import ciGenerator, { PLUGIN_NAME, readPluginOptions, WORKFLOWS_DIR } from '../ci/generator';
import { schema } from './options';

export default async function serviceGenerator(tree: Tree, rawOptions: unknown): Promise<void> {
  const options = parseOptionsWith(schema, rawOptions, 'service');
  const { name, scope, description, root, libs, hasLucidCommon } = planService(tree, options);

  const plugin = readPluginOptions(tree);
  const phaseTag = `${plugin.phaseTagPrefix}${options.phase}`;
  generateFiles(tree, join(__dirname, 'files'), root, {
    ...{ tmpl: '', name, phase: options.phase, phaseTag, scope, libs, hasLucidCommon },
    ...{ description, tomlDescription: description, pyDescription: description },
  });
  const copies = libs.length ? `image copies ${libs.map((l) => `libs/${l}`).join(', ')}` : 'self-contained image';
  logger.info(`created ${root} (${phaseTag}, scope:${scope}; ${copies})`);

  const workflow = joinPathFragments(WORKFLOWS_DIR, CONTAINERS_WORKFLOW);
  if (options.skipCi || !tree.exists(workflow)) return;
  // The new service needs its phase job and SARIF upload: regenerate the workflows with the options they were made with.
  const recorded = readRecordedOptions(tree.read(workflow, 'utf-8') ?? '');
  if (recorded) await ciGenerator(tree, recorded);
  else logger.warn(`${workflow} records no generator options; run nx g ${PLUGIN_NAME}:ci to add ${name} to it`);
}
