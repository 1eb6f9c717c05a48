/**
 * The plan job: which phases have affected services, as a dynamic matrix, so a pull request (or a push) starts
 * jobs only for those phases. It reads exactly what `lucid affected --json` prints
 * (`{ base, head, changedFiles, affected: [{ name, reason }] }`) or, with affected: nx, what
 * `nx show projects --affected --json` prints (an array of names), and maps the names to phases with the
 * phase layout the generator found.
 */
import type { CiWorkflowInput, Job } from './input';
import { checkout, setShas, setupNode } from './steps';

export const AFFECTED_FILE = '${{ runner.temp }}/affected.json';

/**
 * Run by `shell: node {0}`. Env: AFFECTED_FILE, PHASES ([{phase, services}]), MAX_PARALLEL, FORCE_REBUILD,
 * ARCHES (JSON list of extra matrix fields per platform, or empty). Writes to $GITHUB_OUTPUT: matrix (JSON, one
 * entry per phase and platform), phases (one per phase), any (true|false) and phase_<N> (the phase's comma-separated projects, empty when none).
 */
export const PLAN_SCRIPT = `const fs = require('fs');
const phases = JSON.parse(process.env.PHASES);
const force = process.env.FORCE_REBUILD === 'true';
const raw = force ? [] : JSON.parse(fs.readFileSync(process.env.AFFECTED_FILE, 'utf8'));
const names = new Set(Array.isArray(raw) ? raw : raw.affected.map((a) => a.name));
const max = Number(process.env.MAX_PARALLEL);
const arches = process.env.ARCHES ? JSON.parse(process.env.ARCHES) : [{}];
const include = [];
const perPhase = [];
const lines = [];
for (const { phase, services } of phases) {
  const projects = services.filter((s) => force || names.has(s));
  lines.push('phase_' + phase + '=' + projects.join(','));
  if (projects.length === 0) continue;
  perPhase.push({ phase, parallel: Math.min(max, projects.length), projects: projects.join(',') });
  for (const arch of arches) include.push({ phase, parallel: Math.min(max, projects.length), projects: projects.join(','), ...arch });
}
lines.push('matrix=' + JSON.stringify({ include }), 'phases=' + JSON.stringify({ include: perPhase }), 'any=' + (include.length > 0));
fs.appendFileSync(process.env.GITHUB_OUTPUT, lines.join('\\n') + '\\n');
console.log(include.length ? include.map((m) => 'phase ' + m.phase + (m.arch ? ' ' + m.arch : '') + ': ' + m.projects).join('\\n') : 'no phase has an affected service');
`;

/** Matrix fields per platform for native arm64 (each platform on its own runner). */
export function archMatrix(input: CiWorkflowInput): Array<{ platform: string; arch: string; runner: string }> {
  return input.platforms.map((platform) => ({
    platform,
    arch: platform.replace(/^linux\//, '').replace(/\//g, '-'),
    runner: platform === 'linux/arm64' ? input.arm64Runner : input.runner,
  }));
}

export function planJob(input: CiWorkflowInput, opts: { forceInput: boolean }): Job {
  const affectedCommand =
    input.affected === 'nx'
      ? `npx nx show projects --affected --base="$NX_BASE" --head="$NX_HEAD" --json > "$AFFECTED_FILE"`
      : `npm run -s lucid -- affected --base="$NX_BASE" --head="$NX_HEAD" --json > "$AFFECTED_FILE"`;
  const outputs: Record<string, string> = {
    matrix: '${{ steps.plan.outputs.matrix }}',
    phases: '${{ steps.plan.outputs.phases }}',
    any: '${{ steps.plan.outputs.any }}',
  };
  for (const p of input.phases) outputs[`phase_${p.phase}`] = `\${{ steps.plan.outputs.phase_${p.phase} }}`;
  const force = opts.forceInput ? "${{ inputs.force-rebuild && 'true' || 'false' }}" : 'false';
  return {
    name: 'plan (affected phases)',
    'runs-on': input.runner,
    'timeout-minutes': 15,
    // nx-set-shas reads the workflow runs of the default branch.
    permissions: { contents: 'read', actions: 'read' },
    outputs,
    steps: [
      checkout({ fullHistory: true }),
      setShas(input),
      ...setupNode(input),
      {
        name: `Affected services (${input.affected === 'nx' ? 'nx show projects --affected' : 'lucid affected'} --json)`,
        if: opts.forceInput ? '!inputs.force-rebuild' : undefined,
        env: { AFFECTED_FILE },
        run: affectedCommand,
      },
      {
        name: 'Matrix of the phases with affected services',
        id: 'plan',
        shell: 'node {0}',
        env: {
          AFFECTED_FILE,
          PHASES: JSON.stringify(input.phases.map((p) => ({ phase: p.phase, services: p.services }))),
          MAX_PARALLEL: String(input.parallel),
          FORCE_REBUILD: force,
          ARCHES: input.arm64 === 'native' ? JSON.stringify(archMatrix(input)) : '',
        },
        run: PLAN_SCRIPT,
      },
    ],
  };
}
