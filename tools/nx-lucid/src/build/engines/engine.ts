/**
 * Build engines behind one interface. The argument builders are pure (what is run is what --dry-run prints);
 * build/engines/run.ts is the one place that runs them.
 */

export type EngineName = 'buildx' | 'buildah' | 'podman';

export interface EngineCommand {
  command: string;
  args: string[];
  /** What the step does, for progress logs. */
  label: string;
}

export interface BuildCacheSpec {
  type: 'gha' | 'registry' | 'none';
  /** type=registry: the cache image repository. */
  ref?: string;
  mode: 'min' | 'max';
}

/** BuildKit attestations (buildx only): SLSA provenance and an SPDX SBOM per platform, in the image index. */
export interface AttestationSpec {
  provenance: boolean;
  sbom: boolean;
  /** SBOM scanner image (BuildKit's default: docker/buildkit-syft-scanner:stable-1, pulled from docker.io). */
  sbomGenerator?: string;
}

export interface EngineBuildPlan {
  /** Project name: the manifest list name and the cache scope prefix. */
  project: string;
  /** Workspace-relative Dockerfile and context; commands run with the workspace root as cwd. */
  dockerfile: string;
  context: string;
  /** Workspace-relative `<Dockerfile>.dockerignore`, when present. */
  ignoreFile?: string;
  platforms: string[];
  /** Image config labels, in order. */
  labels: Record<string, string>;
  buildArgs: Record<string, string>;
  /** Unix seconds written as the created time of every config and history entry (reproducible builds). */
  timestamp: number;
  /** Registry hosts that are reached over plain HTTP (base image pulls). */
  insecureRegistries: string[];
  /** Absolute directory the engine writes its OCI image layout(s) into; build.ts assembles the final layout from them. */
  stagingDir: string;
  /** buildah/podman: private storage (never /var/lib/containers), removed after the build. */
  storageDir: string;
  cache: BuildCacheSpec;
  /** Image name without tag, for the registry cache default (<image>-buildcache). */
  image: string;
  attestations: AttestationSpec;
}

/** An OCI image layout the engine produced, and the platforms to take from it. */
export interface EngineOutput {
  layoutDir: string;
  platforms: string[];
}

export interface Engine {
  name: EngineName;
  /** The commands of a build, in order. */
  buildCommands(plan: EngineBuildPlan): EngineCommand[];
  /** Where buildCommands leave their layouts. */
  outputs(plan: EngineBuildPlan): EngineOutput[];
  versionCommand(): EngineCommand;
  /** "buildah version 1.28.2 (…)" → "1.28.2". */
  parseVersion(stdout: string): string;
  /** The engine's own error text from a failed command's stderr, put first in the failure message. */
  failureHint?(stderr: string): string | undefined;
}

export { platformSlug } from '../../oci/types';

/** --label k=v … and --build-arg k=v … in the plan's order. */
export function keyValueFlags(flag: string, values: Record<string, string>): string[] {
  return Object.entries(values).flatMap(([k, v]) => [flag, `${k}=${v}`]);
}

export function firstVersion(stdout: string): string {
  const m = stdout.match(/v?(\d+\.\d+(?:\.\d+)?(?:[-+][0-9A-Za-z.-]+)?)/);
  if (!m) throw new Error(`could not read a version from "${stdout.trim().slice(0, 200)}"`);
  return m[1];
}
