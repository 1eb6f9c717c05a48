import type { PackageManager } from './package-manager';
import type { Phase } from './phases';

export type Arm64Mode = 'qemu' | 'native';
/** Which shared Nx cache the phase jobs use: Nx's self-hosted HTTP cache, Nx Cloud, or none. */
export type RemoteCacheMode = 'self-hosted' | 'nx-cloud' | 'none';

export interface CiWorkflowInput {
  /**
   * The phases found when generating. The workflows resolve phases and services again at run time from the
   * project graph; these only name the per-phase jobs of --sequentialPhases and the phases --phases selected.
   */
  phases: Phase[];
  /** --phases: build only these (checked again at run time); undefined: every phase, and the untagged shard. */
  onlyPhases?: number[];
  /** From the lockfile (package-manager.ts); default npm. */
  packageManager?: PackageManager;
  /** Upper bound of `nx --parallel` per phase job; each job uses min(this, its service count). */
  parallel: number;
  /** One job chain per phase, each waiting for the previous phase's push, instead of matrix shards at once. */
  sequentialPhases: boolean;
  arm64: Arm64Mode;
  runner: string;
  /** Native arm64 runner label (arm64: native). */
  arm64Runner: string;
  nodeVersion: string;
  /** Trivy release installed by setup-trivy: always an explicit vX.Y.Z. */
  trivyVersion: string;
  /**
   * How the plan job picks services: `inputs` (default) asks `lucid affected --json`, which matches changed
   * files against each image's build inputs (a README or test change builds nothing); `nx` uses
   * `nx show projects --affected --json`.
   */
  affected?: 'inputs' | 'nx';
  remoteCache?: RemoteCacheMode;
  /** Plugin options that shape the workflow. */
  registry: string;
  /** Every registry the images are pushed to (plugin option registries; default: just registry). */
  registries?: string[];
  /**
   * Image namespace when nx.json configures one: images are <registry>/<repository>/<service>. Unset: each job
   * takes the workflow's own repository (github.repository, lower-cased) at run time.
   */
  repository?: string;
  platforms: string[];
  outputRoot: string;
  defaultBranch: string;
  targets: { build: string; scan: string; verify: string; push: string };
  /** `project:target` of the isolation check, when the workspace has one. */
  isolationTask: string | null;
  /** Tag prefix that carries the phase (plugin option phaseTagPrefix). */
  phaseTagPrefix: string;
  /** UTC cron of the daily re-scan of the published images. */
  rescanCron?: string;
  /** UTC cron of the registry prune (containers-prune.yml). */
  pruneCron?: string;
  /** Recorded in the header so later runs (e.g. the service generator) regenerate with the same options. */
  generatorOptions?: Record<string, unknown>;
}

export type Step = Record<string, unknown>;

/** One job chain of the pipeline (pipeline.ts): a matrix over the planned phases, or one sequential phase. */
export interface Chain {
  /** Job id suffix: '' (matrix over phases) or '-<N>' / '-untagged' (sequential). */
  id: string;
  label: string;
  needs: string[];
  if: string;
  strategy?: Record<string, unknown>;
  projects: string;
  parallel: string;
  /** Cache-key suffix that tells phases (and platforms) apart. */
  suffix: string;
  /** The plan output (JSON matrix) with one entry `{ service, phase }` per project of this chain. */
  services: string;
}

export type Job = Record<string, unknown>;

export { COMPROMISED_TRIVY_VERSIONS, DEFAULT_TRIVY_VERSION, isCompromisedTrivy } from '../config/trivy-versions';
