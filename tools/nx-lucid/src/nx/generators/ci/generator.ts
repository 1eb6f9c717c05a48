import { joinPathFragments, logger, Tree } from '@nx/devkit';
import { DEPENDABOT_FILE, generateDependabot } from '../../../ci/dependabot';
import { generateWorkflows } from '../../../ci/workflows';
import { ciInputFromTree, LEGACY_WORKFLOWS, PLUGIN_NAME, WORKFLOWS_DIR } from '../../../ci/workspace';
import { parseOptionsWith } from '../../../config/options';
import { normalizeCliArrays, recordedOptions } from '../../../ci/generator-options';
import { CiGeneratorOptions, schema } from './options';

export { LEGACY_WORKFLOWS, PLUGIN_NAME, readPluginOptions, WORKFLOWS_DIR } from '../../../ci/workspace';

export function parseCiOptions(raw: unknown): CiGeneratorOptions {
  return parseOptionsWith(schema, normalizeCliArrays(raw), 'ci');
}

export default async function ciGenerator(tree: Tree, rawOptions: unknown): Promise<void> {
  const { phases, ...choices } = parseCiOptions(rawOptions);
  const input = ciInputFromTree(
    tree,
    { ...choices, phases: phases as number[] | undefined },
    recordedOptions(rawOptions, Object.keys(schema.shape)),
  );
  const files = generateWorkflows(input);
  for (const [file, text] of Object.entries(files)) tree.write(joinPathFragments(WORKFLOWS_DIR, file), text);
  const dependabot = joinPathFragments('.github', DEPENDABOT_FILE);
  tree.write(dependabot, generateDependabot(tree.read(dependabot, 'utf-8') ?? undefined));
  for (const legacy of LEGACY_WORKFLOWS)
    if (tree.exists(joinPathFragments(WORKFLOWS_DIR, legacy))) tree.delete(joinPathFragments(WORKFLOWS_DIR, legacy));
  logger.info(
    `${PLUGIN_NAME}:ci: ${input.phases.length} phase(s) (${input.phases.map((p) => `${p.phase}: ${p.services.length}`).join(', ')}), ` +
      `${choices.sequentialPhases ? 'in order' : 'in parallel'}, arm64 ${choices.arm64}; wrote ${Object.keys(files)
        .map((f) => `${WORKFLOWS_DIR}/${f}`)
        .join(', ')} and .github/${DEPENDABOT_FILE}`,
  );
}
