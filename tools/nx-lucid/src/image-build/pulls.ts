/**
 * Every external image a build pulls — the FROM of each stage that is built and every COPY --from=<image> —
 * fully qualified as BuildKit expands it and mapped through registryMirrors (pure).
 */
import type { ImagePull } from '../engines/engine';
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
