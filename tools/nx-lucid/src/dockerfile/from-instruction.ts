/** FROM: a new build stage (its image with the global ARGs substituted, its parent stage) and its variable scope. */
import { DockerfileError } from './errors';
import type { DockerInstruction } from './instruction-list';
import type { BuildStage } from './stages';
import { hasVariable, substitute } from './substitute';
import { imageReferenceProblem } from './image-reference';
import { PLATFORM_ARGS, VALID_STAGE_NAME } from './instructions';

export interface StageScope {
  /** ARG and ENV values visible to this stage's instructions. */
  vars: Record<string, string | undefined>;
  /** ENV values only: a stage built FROM this one inherits them. */
  env: Record<string, string | undefined>;
  /** True when every variable in scope is known (the stage starts from scratch or from such a stage). */
  complete: boolean;
}

export interface FromState {
  file: string;
  stages: BuildStage[];
  scopes: StageScope[];
  globalArgs: Record<string, string | undefined>;
  external: Set<string>;
}

/** Adds the stage to `stages` and its scope to `scopes`; returns the scope. Throws DockerfileError. */
export function readFromInstruction(ins: DockerInstruction, words: string[], state: FromState): StageScope {
  const { file, stages, scopes, globalArgs, external } = state;
  const fail = (reason: string): never => {
    throw new DockerfileError(file, ins.line, reason);
  };
  const flagless = words.filter((a) => !a.startsWith('--'));
  if (flagless.length === 0) fail('FROM needs an image');
  if (flagless.length !== 1 && !(flagless.length === 3 && flagless[1].toUpperCase() === 'AS')) {
    fail(
      `FROM takes "image [AS name]", got "${words.join(' ')}" (BuildKit: "FROM requires either one or three arguments")`,
    );
  }
  const rawImage = flagless[0];
  // FROM sees only the ARGs declared before the first FROM, plus BuildKit's platform args.
  const fromScope: Record<string, string | undefined> = {
    ...Object.fromEntries(PLATFORM_ARGS.map((a) => [a, undefined])),
    ...globalArgs,
  };
  const image = substitute(rawImage, fromScope, true) ?? rawImage;
  if (image.trim() === '') fail(`FROM image "${rawImage}" is empty once its ARGs are substituted`);
  const written = flagless.length === 3 ? flagless[2] : undefined;
  const name = written?.toLowerCase();
  if (name !== undefined && !VALID_STAGE_NAME.test(name)) {
    fail(`invalid name for build stage: "${written}", name can't start with a number or contain symbols`);
  }
  // FROM <name> is the latest earlier stage of that name.
  let parent: number | undefined;
  for (let i = stages.length - 1; i >= 0 && parent === undefined; i--)
    if (stages[i].name === image.toLowerCase()) parent = i;
  if (parent === undefined && image !== 'scratch') {
    // An image still naming an unknown ARG is checked by the engine once a build arg sets it.
    const problem = hasVariable(image) ? undefined : imageReferenceProblem(image);
    if (problem) fail(problem);
    external.add(image);
  }
  const platformFlag = ins.flags.find((f) => f.name === 'platform')?.value ?? undefined;
  stages.push({
    index: stages.length,
    name,
    rawImage,
    image,
    fromStage: parent !== undefined,
    parent,
    platformFlag,
    line: ins.line,
    runLines: [],
    runs: [],
    copiesFrom: [],
  });
  const inherited = parent === undefined ? undefined : scopes[parent];
  const scope: StageScope = {
    vars: { ...(inherited?.env ?? {}) },
    env: { ...(inherited?.env ?? {}) },
    complete: inherited ? inherited.complete : image === 'scratch',
  };
  scopes.push(scope);
  return scope;
}
