/** The names the graph and inputs have always used for the one Dockerfile model (model.ts). */
import { DockerfileModel, parseDockerfile } from './model';

export { DockerfileError } from './errors';
export { substitute } from './substitute';
export type { BuildStage, CopySource, DockerfileModel } from './model';
export type DockerfileAnalysis = DockerfileModel;

/** Parses a Dockerfile (cached per content) and extracts what the build reads. `file` is only used in errors. */
export function analyzeDockerfile(
  content: string,
  file: string,
  buildArgs: Record<string, string> = {},
): DockerfileAnalysis {
  return parseDockerfile(content, file, buildArgs);
}
