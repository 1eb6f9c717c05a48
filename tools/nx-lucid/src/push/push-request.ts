/** What a push is asked to do: the push executor's options (its zod schema sits beside the executor) and the request. */
import type { TagFlavorInput, TagRuleInput } from '../image/tag-rules';

/** The push executor's options (its zod schema sits beside the executor). */
export interface PushOptions {
  outputPath: string;
  registry?: string;
  /** Push to each (same digest everywhere); default [registry]. */
  registries?: string[];
  repository?: string;
  insecureRegistries: string[];
  latestOnBranch: string;
  latest: 'auto' | 'always' | 'never';
  version?: string;
  releaseVersion?: string;
  versionTag: boolean;
  /** Tag rules (plugin option `tags`; default DEFAULT_TAG_RULES). */
  tags: TagRuleInput[];
  /** The action's flavor (plugin option `tagFlavor`). */
  tagFlavor?: TagFlavorInput;
  /** Move a version tag that already names another digest (refused otherwise: versions are immutable). */
  force?: boolean;
  sha?: string;
  phaseTagPrefix: string;
  mountFrom: string[];
  passwordStdin: boolean;
  username?: string;
  retries: number;
  dryRun: boolean;
  /** Attach the build's provenance and the scan's SBOM (in-toto statements) to the pushed index as OCI referrers. */
  attachAttestations?: boolean;
  /** Workspace-relative Sigstore bundle files to attach to the pushed index (their statements must name it). */
  attestationBundles?: string[];
}

export interface PushRequest {
  workspaceRoot: string;
  project: string;
  /** The project's tags (the phase tag names phase<N>-<sha>). */
  tags: string[];
  options: PushOptions;
  /** Every other project with a push target, and that target's outputPath (sibling mount sources). */
  siblings: Array<{ name: string; outputPath: unknown }>;
}
