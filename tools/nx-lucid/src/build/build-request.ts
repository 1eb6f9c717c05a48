/** What container-build is asked (the build executor's parsed options) and what it prepares before building. */
import type { runProcess } from '../boundary/process';
import type { AttestationOptions, BuildCacheOptions, EngineName } from '../config/options';
import type { BuildSecret, Engine, EngineBuildPlan, EngineCommand } from './engines/engine';
import type { BasePull } from './slim';

/** What a build is asked to do: the build executor's parsed options (its zod schema sits beside it). */
export interface BuildOptions {
  outputPath: string;
  dockerfile: string;
  context: string;
  /** Not validated by the schema: checked at run time with every other problem, reported together. */
  registry: string;
  /** Unset when nothing names one (src/config/repository.ts): the build then asks for it. */
  repository?: string;
  platforms: string[];
  engine: EngineName;
  buildCache: BuildCacheOptions;
  attestations: AttestationOptions;
  registryMirrors: Record<string, string>;
  insecureRegistries: string[];
  buildArgs: Record<string, string>;
  version?: string;
  sourceUrl?: string;
  phaseTagPrefix: string;
  dockerfileError?: string;
  dryRun: boolean;
  /** docker/build-push-action's options (absent: none). */
  target?: string;
  secrets?: BuildSecret[];
  buildContexts?: Record<string, string>;
  labels?: Record<string, string>;
  noCache?: boolean;
}

/** The build's side effects that a test may replace. */
export interface BuildDeps {
  run?: typeof runProcess;
  now?: () => number;
}

export interface BuildRequest {
  workspaceRoot: string;
  project: string;
  projectRoot: string;
  tags: string[];
  options: BuildOptions;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  deps?: BuildDeps;
  /** --verbose: a failed build also prints the engine's command line. */
  verbose?: boolean;
}

export interface PreparedBuild {
  engine: Engine;
  engineVersion: string;
  plan: EngineBuildPlan;
  commands: EngineCommand[];
  image: string;
  version: string;
  gitSha: string | null;
  phase: number | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  base: { ref: string; digest: string | null } | null;
  /** Dry run only: what could not be resolved here (engine, base digest), so the plan shows a placeholder. */
  unresolved: string[];
  /** Where the base was pulled from: its layers are referenced from there instead of kept in the output. */
  basePull?: BasePull;
  /** Files the commands read, written into the build's scratch folder first (the private registries.conf). */
  files: Array<{ path: string; content: string; why: string }>;
}
