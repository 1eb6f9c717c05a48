/**
 * Pure planning for container-build: which base to pin, through which mirror, and whether a platform can be
 * built here at all. No processes, no file system.
 */
import { formatImageReference, parseImageReference } from '../image/naming';
import { BuildStage, parseDockerfile } from '../dockerfile/model';

/** A stage as build planning reads it: the one Dockerfile model's stage. */
export type StageInfo = BuildStage;

/**
 * Stages of a Dockerfile for build planning, from the one Dockerfile model (parsed once per content);
 * throws the model's DockerfileError for a Dockerfile BuildKit would reject.
 */
export function dockerfileStages(
  content: string,
  buildArgs: Record<string, string> = {},
  file = 'Dockerfile',
): { stages: StageInfo[]; globalArgs: Record<string, string | undefined>; copiedImages: string[] } {
  const { stages, globalArgs, externalImages } = parseDockerfile(content, file, buildArgs);
  const fromImages = new Set(stages.map((s) => s.image));
  // externalImages holds every FROM image too: what is left is read by COPY --from=<image> / RUN --mount from=.
  return { stages, globalArgs, copiedImages: externalImages.filter((i) => !fromImages.has(i)) };
}

/**
 * The stages up to --target (the target becomes the final stage, as the engines build it); a target that names no
 * stage is a problem.
 */
export function stagesToTarget(
  stages: StageInfo[],
  target: string | undefined,
  dockerfile: string,
): { stages: StageInfo[]; problem?: string } {
  if (!target) return { stages };
  const at = stages.map((s) => s.name).lastIndexOf(target.toLowerCase());
  if (at >= 0) return { stages: stages.slice(0, at + 1) };
  const named = stages.filter((s) => s.name).map((s) => s.name);
  return {
    stages,
    problem: `target "${target}" is not a stage of ${dockerfile} (its named stages: ${named.join(', ') || 'none'})`,
  };
}

/** The stages the final stage depends on (buildah and BuildKit skip the others). */
export function reachableStages(stages: StageInfo[]): StageInfo[] {
  const seen = new Set<number>();
  const visit = (i: number) => {
    if (seen.has(i)) return;
    seen.add(i);
    const s = stages[i];
    if (s.parent !== undefined) visit(s.parent);
    s.copiesFrom.forEach(visit);
  };
  if (stages.length) visit(stages.length - 1);
  return stages.filter((s) => seen.has(s.index));
}

export interface BaseImagePlan {
  /** The base as the Dockerfile names it, e.g. gcr.io/distroless/python3-debian12:nonroot. */
  ref: string;
  /** Where it is pulled from after registryMirrors, e.g. 127.0.0.1:5000/mirror/gcr.io/distroless/python3-debian12:nonroot. */
  pullRef: string;
  /** Registry host of pullRef. */
  pullRegistry: string;
  insecure: boolean;
  /** The global ARG the final FROM is written with (${BASE_IMAGE}), through which the pinned reference is passed. */
  viaArg?: string;
}

/** Rewrites a reference's registry through the mirrors map (keys are registry hosts, e.g. gcr.io or docker.io). */
export function mirrorReference(ref: string, mirrors: Record<string, string>): string {
  const parsed = parseImageReference(ref);
  const mirror = mirrors[parsed.registry];
  if (!mirror) return formatImageReference(parsed);
  return `${mirror.replace(/\/+$/, '')}/${parsed.repository}${parsed.tag ? `:${parsed.tag}` : ''}${parsed.digest ? `@${parsed.digest}` : ''}`;
}

export function registryOf(ref: string): string {
  return parseImageReference(ref).registry;
}

/** The final stage's base image (following stage-to-stage FROMs), or null for FROM scratch. */
export function planBaseImage(
  stages: StageInfo[],
  mirrors: Record<string, string>,
  insecureRegistries: readonly string[],
): BaseImagePlan | null {
  if (!stages.length) return null;
  let stage = stages[stages.length - 1];
  while (stage.parent !== undefined) stage = stages[stage.parent];
  if (stage.image === 'scratch') return null;
  const pullRef = mirrorReference(stage.image, mirrors);
  const pullRegistry = registryOf(pullRef);
  const argMatch = stage.rawImage.match(/^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/);
  return {
    ref: formatImageReference(parseImageReference(stage.image)),
    pullRef,
    pullRegistry,
    insecure: insecureRegistries.includes(pullRegistry),
    ...(argMatch ? { viaArg: argMatch[1] } : {}),
  };
}

/** Pins a pull reference to a digest (dropping the tag: the digest is what is built). */
export function pinnedReference(pullRef: string, digest: string): string {
  const parsed = parseImageReference(pullRef);
  return formatImageReference({ ...parsed, tag: undefined, digest });
}

/** OCI architecture of the machine, from Node's os.arch(). */
export function hostPlatform(nodeArch: string): string {
  const map: Record<string, string> = {
    x64: 'linux/amd64',
    arm64: 'linux/arm64',
    arm: 'linux/arm/v7',
    ppc64: 'linux/ppc64le',
    s390x: 'linux/s390x',
  };
  return map[nodeArch] ?? `linux/${nodeArch}`;
}

/** The binfmt_misc entry name qemu-user-static registers for a platform. */
export function emulatorFor(platform: string): string {
  const arch = platform.split('/')[1];
  const map: Record<string, string> = {
    amd64: 'qemu-x86_64',
    arm64: 'qemu-aarch64',
    arm: 'qemu-arm',
    ppc64le: 'qemu-ppc64le',
    s390x: 'qemu-s390x',
  };
  return map[arch] ?? `qemu-${arch}`;
}

/**
 * Fails when a RUN step would execute for a platform this machine cannot run: without an emulator, buildah runs
 * the host's binaries and labels the result with the foreign platform — a silently wrong image.
 * Stages pinned to the build platform (FROM --platform=$BUILDPLATFORM) run natively and are fine.
 */
export function foreignRunProblems(
  dockerfile: string,
  stages: StageInfo[],
  platforms: readonly string[],
  host: string,
  emulators: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  for (const platform of platforms) {
    if (platform === host) continue;
    const emulator = emulatorFor(platform);
    if (emulators.has(emulator)) continue;
    for (const stage of reachableStages(stages)) {
      const flag = stage.platformFlag?.replace(/[{}$]/g, '');
      const runsOn =
        flag === undefined || flag === 'TARGETPLATFORM' ? platform : flag === 'BUILDPLATFORM' ? host : flag;
      if (runsOn === host || !stage.runs.length) continue;
      const run = stage.runs[0];
      problems.push(
        `${dockerfile}:${run.line}: "${run.text}" would run for ${platform}, but this ${host} machine has no ${emulator} emulator registered, ` +
          `so the ${platform} image would hold ${host} binaries. Enable emulation (apt-get install qemu-user-static binfmt-support && ` +
          `update-binfmts --enable ${emulator}; in CI docker/setup-qemu-action), drop ${platform} from platforms, ` +
          `or build that stage FROM --platform=$BUILDPLATFORM and COPY its output.`,
      );
    }
  }
  return problems;
}

export interface InputProblemsInput {
  platforms: readonly string[];
  supportedPlatforms: readonly string[];
  buildArgs: Record<string, string>;
}

/** Input checks that need no file system: everything wrong is reported at once. */
export function inputProblems(i: InputProblemsInput): string[] {
  const problems: string[] = [];
  for (const p of i.platforms) {
    if (!i.supportedPlatforms.includes(p))
      problems.push(`unknown platform "${p}"; expected one of ${i.supportedPlatforms.join(', ')}`);
  }
  if (new Set(i.platforms).size !== i.platforms.length)
    problems.push(`platforms lists a platform twice: ${i.platforms.join(', ')}`);
  for (const [k, v] of Object.entries(i.buildArgs)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) problems.push(`build-arg name "${k}" is not a valid ARG name`);
    if (/[\r\n]/.test(v)) problems.push(`build-arg ${k} contains a newline; build args are single-line`);
  }
  return problems;
}

/**
 * The final stage's base as createNodes sees it (ARG defaults substituted), for the base-digest cache input;
 * undefined for scratch or a base that depends on a build arg without default.
 */
export function baseRefForCacheKey(
  stages: ReadonlyArray<Pick<StageInfo, 'image' | 'fromStage' | 'parent'>>,
): string | undefined {
  let stage = stages[stages.length - 1];
  for (let hops = 0; stage?.fromStage && stage.parent !== undefined && hops < stages.length; hops++)
    stage = stages[stage.parent];
  if (!stage || stage.fromStage || stage.image === 'scratch' || stage.image.includes('$')) return undefined;
  try {
    return formatImageReference(parseImageReference(stage.image));
  } catch {
    return undefined;
  }
}
