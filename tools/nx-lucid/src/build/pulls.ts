/**
 * Every external image a build pulls — the FROM of each stage that is built and every COPY --from=<image> —
 * fully qualified as BuildKit expands it and mapped through registryMirrors (pure).
 */
import type { ImagePull } from './engines/engine';
import { formatImageReference, parseImageReference } from '../image/naming';
import { mirrorReference, reachableStages, StageInfo } from './plan';

export interface PlannedPulls {
  pulls: ImagePull[];
  /** Images that cannot be mirrored (a variable without value, an invalid name): said in the log, left to the engine. */
  notes: string[];
}

export function plannedPulls(
  stages: StageInfo[],
  copiedImages: readonly string[],
  mirrors: Record<string, string>,
): PlannedPulls {
  const names = [
    ...reachableStages(stages)
      .filter((s) => !s.fromStage && s.image !== 'scratch')
      .map((s) => s.image),
    ...copiedImages,
  ];
  const pulls: ImagePull[] = [];
  const notes: string[] = [];
  for (const name of [...new Set(names)]) {
    if (name.includes('$')) {
      notes.push(`image ${name} names a variable without a value: it is pulled as the engine resolves it, unmirrored`);
      continue;
    }
    try {
      const ref = formatImageReference(parseImageReference(name));
      pulls.push({ name, ref, pullRef: mirrorReference(name, mirrors) });
    } catch (e) {
      notes.push(`image ${name} is not mirrored: ${(e as Error).message}`);
    }
  }
  return { pulls, notes };
}

/** The `# syntax=` parser directive (the frontend image BuildKit pulls first), if the Dockerfile has one. */
export function syntaxDirective(content: string): string | undefined {
  for (const line of content.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const m = line.match(/^\s*#\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(\S+)\s*$/);
    if (!m) return undefined;
    if (m[1].toLowerCase() === 'syntax') return m[2];
  }
  return undefined;
}

/** The SBOM scanner BuildKit runs when no generator is named (moby/buildkit frontend/attestations). */
export const DEFAULT_SBOM_SCANNER = 'docker/buildkit-syft-scanner:stable-1';

/**
 * The images BuildKit pulls on its own, outside any FROM — the `# syntax=` frontend and the SBOM scanner — through
 * their registries' mirrors (undefined where there is no mirror). buildx takes the frontend as the
 * BUILDKIT_SYNTAX build arg and the scanner as `--sbom=generator=…`.
 */
export function buildkitOwnPulls(
  content: string,
  mirrors: Record<string, string>,
  sbom: { sbom: boolean; sbomGenerator?: string },
): { syntax?: string; sbomGenerator?: string } {
  const mirrored = (name: string) => {
    try {
      const pullRef = mirrorReference(name, mirrors);
      return pullRef === formatImageReference(parseImageReference(name)) ? undefined : pullRef;
    } catch {
      return undefined;
    }
  };
  const syntax = syntaxDirective(content);
  const frontend = syntax ? mirrored(syntax) : undefined;
  const scanner = sbom.sbom ? mirrored(sbom.sbomGenerator ?? DEFAULT_SBOM_SCANNER) : undefined;
  return { ...(frontend ? { syntax: frontend } : {}), ...(scanner ? { sbomGenerator: scanner } : {}) };
}
