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
  /** Variables added to the child's environment (names of files it reads; never a secret's value). */
  env?: Record<string, string>;
}

/** A build secret: its id and where the engine reads it; the value never enters argv, logs or the plan. */
export interface BuildSecret {
  id: string;
  /** A file, workspace-relative or absolute. */
  src?: string;
  /** An environment variable of the build's own environment, passed by name. */
  env?: string;
}

/** An external image the build pulls (a FROM or COPY --from that is no stage), and where it is pulled from. */
export interface ImagePull {
  /** As the Dockerfile names it once its ARGs are substituted, e.g. python:3.11-slim. */
  name: string;
  /** Fully qualified as BuildKit expands it, e.g. docker.io/library/python:3.11-slim. */
  ref: string;
  /** Where it is pulled from: through the mirror of its registry (registryMirrors), else ref. */
  pullRef: string;
  /** The digest it was resolved to before the build, when known (the final stage's base). */
  digest?: string;
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
  /**
   * buildah/podman: the storage (never /var/lib/containers): the workspace's shared store (the base is imported
   * once, containers/storage locks it), or a private one in the build's scratch folder for the retry.
   */
  storageDir: string;
  /** buildah/podman: the manifest list the build collects its platforms in, unique to this build. */
  manifestList?: string;
  cache: BuildCacheSpec;
  /** Image name without tag, for the registry cache default (<image>-buildcache). */
  image: string;
  attestations: AttestationSpec;
  /** --target: the stage to build (else the last). */
  target?: string;
  secrets: BuildSecret[];
  /** --build-context name=value, as the user gives them (a mirrored pull's context never overrides one). */
  buildContexts: Record<string, string>;
  noCache: boolean;
  /** Every external image of the stages that are built. */
  pulls: ImagePull[];
  /** buildah/podman: the private registries.conf with the mirrors (CONTAINERS_REGISTRIES_CONF), when one is needed. */
  registriesConf?: string;
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
  /** buildah/podman: removes what the build left in a shared store (its list and platform images). */
  cleanupCommands?(plan: EngineBuildPlan, imageIds: string[]): EngineCommand[];
  /** "buildah version 1.28.2 (…)" → "1.28.2". */
  parseVersion(stdout: string): string;
  /** The engine's own error text from a failed command's stderr, put first in the failure message. */
  failureHint?(stderr: string): string | undefined;
  /** Where in the Dockerfile a failed build stopped, read from the engine's output. */
  failureSite?(output: string): FailureSite | undefined;
}

/** A failed step as the engine names it: the Dockerfile line (BuildKit) or the step (buildah), and its reason. */
export interface FailureSite {
  /** BuildKit: the Dockerfile line it quotes. */
  line?: number;
  /** buildah: the step's text as it prints it (continuation lines joined), and its [stage/stages] STEP n/m. */
  stepText?: string;
  stage?: number;
  step?: number;
  /** buildah: the image it could not pull before any step ran (its FROM). */
  image?: string;
  /** The engine's reason, one line. */
  reason: string;
}

export { platformSlug } from '../../oci/types';

/** --label k=v … and --build-arg k=v … in the plan's order. */
export function keyValueFlags(flag: string, values: Record<string, string>): string[] {
  return Object.entries(values).flatMap(([k, v]) => [flag, `${k}=${v}`]);
}

/** --secret id=…,src=… | id=…,env=… (BuildKit's and buildah's syntax; an env secret is named, never valued). */
export function secretFlags(secrets: readonly BuildSecret[]): string[] {
  return secrets.flatMap((s) => ['--secret', s.env ? `id=${s.id},env=${s.env}` : `id=${s.id},src=${s.src}`]);
}

/** --target, --no-cache and the user's --build-context flags, which both engines take alike. */
export function commonBuildFlags(plan: EngineBuildPlan): string[] {
  return [
    ...(plan.target ? ['--target', plan.target] : []),
    ...(plan.noCache ? ['--no-cache'] : []),
    ...secretFlags(plan.secrets),
    ...keyValueFlags('--build-context', plan.buildContexts),
  ];
}

export function firstVersion(stdout: string): string {
  const m = stdout.match(/v?(\d+\.\d+(?:\.\d+)?(?:[-+][0-9A-Za-z.-]+)?)/);
  if (!m) throw new Error(`could not read a version from "${stdout.trim().slice(0, 200)}"`);
  return m[1];
}
