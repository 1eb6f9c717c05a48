import { generateFiles, getProjects, joinPathFragments, logger, Tree } from '@nx/devkit';
import { join } from 'node:path';
import { CONTAINERS_WORKFLOW, readRecordedOptions } from '../../ci/workflows';
import { parseOptionsWith } from '../../config/options';
import ciGenerator, { PLUGIN_NAME, readPluginOptions, WORKFLOWS_DIR } from '../ci/generator';
import { schema, ServiceGeneratorOptions } from './options';

const NAME_HELP = 'use lowercase letters, digits and single dashes, starting with a letter (e.g. billing-service)';

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

export function parseServiceOptions(raw: unknown): ServiceGeneratorOptions {
  return parseOptionsWith(schema, raw, 'service');
}

export default async function serviceGenerator(tree: Tree, rawOptions: unknown): Promise<void> {
  const options = parseServiceOptions(rawOptions);
  const name = options.name;
  const nameProblem = serviceNameProblem(name);
  if (nameProblem)
    throw new Error(`invalid service name "${name}": ${nameProblem}; ${NAME_HELP}. Nothing was written.`);
  const scope = options.scope ?? name;
  const scopeProblem = serviceNameProblem(scope);
  if (scopeProblem)
    throw new Error(
      `invalid scope "${scope}": ${scopeProblem}; ${NAME_HELP.replace('billing-service', 'payments')}. Nothing was written.`,
    );
  const description = options.description ?? `${name} service`;
  if (!/^[^"\\`\u0000-\u001f]{1,200}$/.test(description)) {
    throw new Error(
      'invalid description: one line of at most 200 characters, without quotes, backslashes or backticks. Nothing was written.',
    );
  }

  const projects = getProjects(tree);
  const existing = projects.get(name);
  if (existing)
    throw new Error(
      `a project named "${name}" already exists (${existing.root}); choose another name. Nothing was written.`,
    );
  const root = joinPathFragments('apps', name);
  if (tree.exists(root)) throw new Error(`${root} already exists; choose another name. Nothing was written.`);

  // Shared code for the scope: libs/<scope>-common when the workspace has that library (e.g. tron, blockchain).
  const libs = ['lucid-common'];
  const scopeLib = `${scope}-common`;
  const lib = projects.get(scopeLib);
  if (lib && scopeLib !== 'lucid-common' && tree.exists(joinPathFragments(lib.root, 'src'))) libs.push(scopeLib);
  if (!projects.has('lucid-common'))
    logger.warn('libs/lucid-common is not in this workspace; the service imports lucid_common.service');

  const plugin = readPluginOptions(tree);
  generateFiles(tree, join(__dirname, 'files'), root, {
    tmpl: '',
    name,
    phase: options.phase,
    phaseTag: `${plugin.phaseTagPrefix}${options.phase}`,
    scope,
    libs,
    description,
    tomlDescription: description,
    pyDescription: description,
  });
  logger.info(
    `created ${root} (${plugin.phaseTagPrefix}${options.phase}, scope:${scope}; image copies ${libs.map((l) => `libs/${l}`).join(', ')})`,
  );

  const workflow = joinPathFragments(WORKFLOWS_DIR, CONTAINERS_WORKFLOW);
  if (!options.skipCi && tree.exists(workflow)) {
    // The new service needs its phase job and SARIF upload: regenerate the workflows with the options they were made with.
    const recorded = readRecordedOptions(tree.read(workflow, 'utf-8') ?? '');
    if (recorded) {
      await ciGenerator(tree, recorded);
    } else {
      logger.warn(`${workflow} records no generator options; run nx g ${PLUGIN_NAME}:ci to add ${name} to it`);
    }
  }
}
