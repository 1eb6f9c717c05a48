/**
 * Stage references and their cycles, resolved as dockerfile2llb does (frontend/dockerfile/dockerfile2llb):
 * FROM <name> names the latest earlier stage of that name; COPY --from / RUN --mount from=<name> are resolved
 * after every stage is known, so they name the LAST stage of that name (a duplicate name makes the earlier one
 * unreachable by name); a number is a stage index.
 */
import { DockerfileError } from './errors';

export interface BuildStage {
  index: number;
  name?: string;
  /** FROM image as written, e.g. ${BASE_IMAGE}. */
  rawImage: string;
  /** The FROM image with known ARG defaults (and build args) substituted. */
  image: string;
  /** True when the FROM names an earlier stage rather than an image. */
  fromStage: boolean;
  /** Index of the stage this one starts FROM, if it names a stage. */
  parent?: number;
  /** FROM --platform=… as written, if any. */
  platformFlag?: string;
  line: number;
  runLines: number[];
  /** RUN instructions: line and first line of text, for messages. */
  runs: Array<{ line: number; text: string }>;
  /** Stages read by COPY --from / RUN --mount=from (indices, resolved). */
  copiesFrom: number[];
}

/** A COPY --from / RUN --mount from= reference, as written, before stages are resolved. */
export interface StageReference {
  stage: number;
  ref: string;
  line: number;
  instruction: string;
}

export function lastStageNamed(stages: readonly BuildStage[], ref: string): number {
  const lower = ref.toLowerCase();
  for (let i = stages.length - 1; i >= 0; i--) if (stages[i].name === lower) return i;
  return -1;
}

/**
 * Resolves references to stages (filling copiesFrom); returns the refs that name images instead.
 * Throws "invalid stage index" for an out-of-range number and BuildKit's "circular dependency detected on stage"
 * for a stage that reads itself, directly or through others.
 */
export function resolveStageReferences(stages: BuildStage[], refs: readonly StageReference[], file: string): string[] {
  const images: string[] = [];
  const edgeLine = new Map<string, number>();
  for (const r of refs) {
    let target: number;
    if (/^\d+$/.test(r.ref)) {
      target = Number(r.ref);
      if (target >= stages.length)
        throw new DockerfileError(
          file,
          r.line,
          `invalid stage index ${r.ref} in ${r.instruction} (BuildKit: "invalid stage index ${r.ref}")`,
        );
    } else {
      target = lastStageNamed(stages, r.ref);
      if (target < 0) {
        images.push(r.ref);
        continue;
      }
    }
    stages[r.stage].copiesFrom.push(target);
    if (!edgeLine.has(`${r.stage}>${target}`)) edgeLine.set(`${r.stage}>${target}`, r.line);
  }
  const state = new Map<number, 'open' | 'done'>();
  const path: Array<{ stage: number; line: number }> = [];
  const label = (i: number) => stages[i].name ?? `stage-${i}`;
  const visit = (i: number): void => {
    state.set(i, 'open');
    const s = stages[i];
    for (const dep of [...(s.parent === undefined ? [] : [s.parent]), ...s.copiesFrom]) {
      const line = edgeLine.get(`${i}>${dep}`) ?? s.line;
      if (state.get(dep) === 'open') {
        // The cycle, from where it closes: the COPY/RUN/FROM lines that make it.
        const cycle = [...path.slice(path.findIndex((p) => p.stage === dep)), { stage: i, line }];
        const how =
          cycle.length === 1
            ? `stage "${label(dep)}" reads itself`
            : cycle.map((c) => `${label(c.stage)} (line ${c.line})`).join(' -> ') + ` -> ${label(dep)}`;
        throw new DockerfileError(
          file,
          line,
          `circular dependency detected on stage: ${label(dep)} (${how}; a duplicate stage name resolves to the last stage of that name)`,
        );
      }
      if (!state.has(dep)) {
        path.push({ stage: i, line });
        visit(dep);
        path.pop();
      }
    }
    state.set(i, 'done');
  };
  for (let i = 0; i < stages.length; i++) if (!state.has(i)) visit(i);
  return images;
}

/**
 * The stages a build of `target` runs (default: the last stage), as dockerfile2llb's allReachableStages: the
 * target, the stage it starts FROM, the stages it reads by COPY --from / RUN --mount from=, transitively.
 * `target` names the last stage of that name, as BuildKit's statesByName. Null when no stage has that name.
 */
export function stagesForTarget(stages: readonly BuildStage[], target?: string): Set<number> | null {
  const start = target === undefined ? stages.length - 1 : lastStageNamed(stages, target);
  if (start < 0) return null;
  const built = new Set<number>();
  const visit = (i: number): void => {
    if (built.has(i)) return;
    built.add(i);
    const s = stages[i];
    if (s.parent !== undefined) visit(s.parent);
    for (const dep of s.copiesFrom) visit(dep);
  };
  visit(start);
  return built;
}
