/** Where a failed build stopped, read from each engine's own output (pure; image-build/failure.ts maps it to the file). */
import type { FailureSite } from './engine';

const plain = (output: string) => output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split(/\r?\n/);

/**
 * buildah prints `[stage/stages] STEP n/m: <instruction>` (no prefix with one stage) and fails with
 * `building at STEP "<instruction>": <reason>`; the step text is matched against the printed steps, so a reason
 * holding `": ` does not cut it short.
 */
export function buildahFailureSite(output: string): FailureSite | undefined {
  const lines = plain(output);
  const steps: Array<{ text: string; stage?: number; step: number }> = [];
  for (const l of lines) {
    const m = l.match(/^(?:\[(\d+)\/\d+\] )?STEP (\d+)\/\d+: (.*)$/);
    if (m) steps.push({ stage: m[1] ? Number(m[1]) : undefined, step: Number(m[2]), text: m[3] });
  }
  const failure = [...lines].reverse().find((l) => l.includes('building at STEP "'));
  if (!failure) return buildahPullFailure(lines);
  const after = failure.slice(failure.indexOf('building at STEP "') + 'building at STEP "'.length);
  const printed = [...steps].reverse().find((s) => after.startsWith(`${s.text}": `));
  if (printed) {
    return {
      stepText: printed.text,
      stage: printed.stage,
      step: printed.step,
      reason: after.slice(printed.text.length + 3),
    };
  }
  const m = after.match(/^(.*?)": (.*)$/);
  return m ? { stepText: m[1], reason: m[2] } : undefined;
}

/** A base that could not be pulled fails before any STEP: `creating build container: initializing source docker://<image>: …`. */
function buildahPullFailure(lines: string[]): FailureSite | undefined {
  const failure = [...lines].reverse().find((l) => /initializing source docker:\/\/\S+: /.test(l));
  const m = failure?.match(/initializing source docker:\/\/(\S+?): (.*)$/);
  return m ? { image: m[1], reason: failure!.replace(/^Error:\s*/, '') } : undefined;
}

/**
 * BuildKit quotes the failing instruction under `<Dockerfile>:<line>` (`  21 | >>> RUN …`) and ends with
 * `ERROR: failed to build: failed to solve: <reason>`.
 */
export function buildkitFailureSite(output: string): FailureSite | undefined {
  const lines = plain(output).map((l) => l.replace(/^#\d+ /, ''));
  let line: number | undefined;
  for (let i = 0; i + 1 < lines.length && line === undefined; i++) {
    const m = lines[i].trim().match(/^\S+:(\d+)$/);
    if (m && /^-{5,}$/.test(lines[i + 1].trim())) line = Number(m[1]);
  }
  const errors = lines.map((l) => l.trim()).filter((l) => l.startsWith('ERROR:'));
  const last = errors[errors.length - 1];
  if (line === undefined && !last) return undefined;
  const reason = (last ?? 'the build failed')
    .replace(/^ERROR:\s*/, '')
    .replace(/^failed to build:\s*/, '')
    .replace(/^failed to solve:\s*/, '');
  if (line !== undefined) return { line, reason };
  // No source excerpt (older frontends): the failed vertex, ` > [builder 3/5] RUN …:`, names the step.
  const step = [...lines].reverse().find((l) => /^ > \[[^\]]* \d+\/\d+\] .*:$/.test(l));
  const m = step?.match(/^ > \[[^\]]* (\d+)\/\d+\] (.*):$/);
  return m ? { stepText: m[2], step: Number(m[1]), reason } : { reason };
}
