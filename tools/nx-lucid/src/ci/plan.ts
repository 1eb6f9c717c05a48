/**
 * The plan job: which container projects to build, grouped by phase, as dynamic matrices. Everything is resolved
 * when the workflow RUNS, from the project graph (`nx graph --file`): every project with the build target, by its
 * phase tag, the ones without one in an `untagged` shard — so a service added by hand, or a project the plugin
 * infers from a bare Dockerfile, is built without regenerating. Which of them changed comes from
 * `lucid affected --json` (`{ base, head, changedFiles, affected: [{ name, reason }] }`) or, with affected: nx,
 * `nx show projects --affected --json` (an array of names).
 */
import type { CiWorkflowInput, Job, Step } from './input';
import { bin, checkout, setShas, setupNode } from './steps';

export const AFFECTED_FILE = '${{ runner.temp }}/affected.json';
export const GRAPH_FILE = '${{ runner.temp }}/project-graph.json';
/** The shard of container projects without a phase tag. */
export const UNTAGGED = 'untagged';

/**
 * Run by `shell: node {0}`. Env: GRAPH_FILE, AFFECTED_FILE, BUILD_TARGET, PHASE_TAG_PREFIX, ONLY_PHASES (comma
 * list or empty), JOB_PHASES (sequential: the phases that have jobs, comma list; empty: matrix mode), MAX_PARALLEL,
 * FORCE_REBUILD, ARCHES (JSON list of extra matrix fields per platform, or empty). Writes to $GITHUB_OUTPUT:
 * matrix (one entry per shard and platform), phases (one per shard), services (one per project, for per-service
 * jobs), any (true|false), and per shard of JOB_PHASES and untagged: phase_<N> (comma-separated projects) and
 * services_<N>.
 */
export const PLAN_SCRIPT = `const fs = require('fs');
const env = process.env;
const nodes = JSON.parse(fs.readFileSync(env.GRAPH_FILE, 'utf8')).graph.nodes;
const fail = (msg) => { console.log('::error::' + msg); process.exit(1); };
const shards = new Map();
const problems = [];
for (const name of Object.keys(nodes).sort()) {
  const data = nodes[name].data || {};
  if (!data.targets || !data.targets[env.BUILD_TARGET]) continue;
  const tags = (data.tags || []).filter((t) => t.startsWith(env.PHASE_TAG_PREFIX));
  if (tags.length > 1) { problems.push(name + ' has more than one phase tag (' + tags.join(', ') + ')'); continue; }
  const value = tags.length ? tags[0].slice(env.PHASE_TAG_PREFIX.length) : '${UNTAGGED}';
  if (tags.length && !/^[1-9][0-9]*$/.test(value)) { problems.push(name + ': phase tag "' + tags[0] + '" is not ' + env.PHASE_TAG_PREFIX + '<positive integer>'); continue; }
  const key = tags.length ? Number(value) : value;
  shards.set(key, [...(shards.get(key) || []), name]);
}
if (problems.length) fail('cannot group the container projects by phase: ' + problems.join('; '));
const jobPhases = env.JOB_PHASES ? env.JOB_PHASES.split(',').map(Number) : null;
const only = env.ONLY_PHASES ? env.ONLY_PHASES.split(',').map(Number) : null;
const keys = [...shards.keys()].filter((k) => !only || only.includes(k)).sort((a, b) => (a === '${UNTAGGED}') - (b === '${UNTAGGED}') || a - b);
const orphans = keys.filter((k) => jobPhases && k !== '${UNTAGGED}' && !jobPhases.includes(k));
if (orphans.length) fail('phase ' + orphans.join(', ') + ' has container projects but no job in this workflow: re-run nx g @lucid/nx-lucid:ci');
if (shards.has('${UNTAGGED}') && keys.includes('${UNTAGGED}')) console.log('::notice::no ' + env.PHASE_TAG_PREFIX + '<N> tag, built in the ${UNTAGGED} shard: ' + shards.get('${UNTAGGED}').join(', '));
const force = env.FORCE_REBUILD === 'true';
const raw = force ? [] : JSON.parse(fs.readFileSync(env.AFFECTED_FILE, 'utf8'));
const affected = new Set(Array.isArray(raw) ? raw : raw.affected.map((a) => a.name));
const max = Number(env.MAX_PARALLEL);
const arches = env.ARCHES ? JSON.parse(env.ARCHES) : [{}];
const include = [], perPhase = [], services = [], lines = [];
for (const key of [...new Set([...(jobPhases ? [...jobPhases, '${UNTAGGED}'] : []), ...keys])]) {
  const projects = keys.includes(key) ? shards.get(key).filter((s) => force || affected.has(s)) : [];
  const shard = { phase: key, label: key === '${UNTAGGED}' ? key : 'phase ' + key, parallel: Math.min(max, projects.length), projects: projects.join(',') };
  const mine = projects.map((service) => ({ service, phase: key }));
  if (jobPhases) lines.push('phase_' + key + '=' + shard.projects, 'services_' + key + '=' + JSON.stringify({ include: mine }));
  if (projects.length === 0) continue;
  perPhase.push(shard);
  services.push(...mine);
  for (const arch of arches) include.push({ ...shard, ...arch });
}
lines.push('matrix=' + JSON.stringify({ include }), 'phases=' + JSON.stringify({ include: perPhase }), 'services=' + JSON.stringify({ include: services }), 'any=' + (include.length > 0));
fs.appendFileSync(env.GITHUB_OUTPUT, lines.join('\\n') + '\\n');
console.log(include.length ? include.map((m) => m.label + (m.arch ? ' ' + m.arch : '') + ': ' + m.projects).join('\\n') : 'no container project to build');
`;

/** Matrix fields per platform for native arm64 (each platform on its own runner). */
export function archMatrix(input: CiWorkflowInput): Array<{ platform: string; arch: string; runner: string }> {
  return input.platforms.map((platform) => ({
    platform,
    arch: platform.replace(/^linux\//, '').replace(/\//g, '-'),
    runner: platform === 'linux/arm64' ? input.arm64Runner : input.runner,
  }));
}

/** The shards that have their own jobs in --sequentialPhases mode: the phases found, then the untagged shard. */
export function sequentialShards(input: CiWorkflowInput): Array<number | typeof UNTAGGED> {
  return [...input.phases.map((p) => p.phase), UNTAGGED];
}

/** The project graph written to GRAPH_FILE: phases and services are read from it when the workflow runs. */
export const graphStep = (input: CiWorkflowInput): Step => ({
  name: 'Project graph (container projects and their phase tags)',
  env: { GRAPH_FILE },
  run: bin(input, 'nx graph --file="$GRAPH_FILE"'),
});

/** The plan script's step. `force`: an expression or literal that is 'true' to build every project. */
export function planStep(input: CiWorkflowInput, force: string): Step {
  return {
    name: 'Matrix of the container projects to build, by phase',
    id: 'plan',
    shell: 'node {0}',
    env: {
      GRAPH_FILE,
      AFFECTED_FILE,
      BUILD_TARGET: input.targets.build,
      PHASE_TAG_PREFIX: input.phaseTagPrefix,
      ONLY_PHASES: (input.onlyPhases ?? []).join(','),
      JOB_PHASES: input.sequentialPhases ? input.phases.map((p) => p.phase).join(',') : '',
      MAX_PARALLEL: String(input.parallel),
      FORCE_REBUILD: force,
      ARCHES: input.arm64 === 'native' ? JSON.stringify(archMatrix(input)) : '',
    },
    run: PLAN_SCRIPT,
  };
}

export function planOutputs(input: CiWorkflowInput): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const name of ['matrix', 'phases', 'services', 'any']) outputs[name] = `\${{ steps.plan.outputs.${name} }}`;
  if (!input.sequentialPhases) return outputs;
  for (const key of sequentialShards(input)) {
    outputs[`phase_${key}`] = `\${{ steps.plan.outputs.phase_${key} }}`;
    outputs[`services_${key}`] = `\${{ steps.plan.outputs.services_${key} }}`;
  }
  return outputs;
}

export function planJob(input: CiWorkflowInput, opts: { forceInput: boolean }): Job {
  const affectedCommand =
    input.affected === 'nx'
      ? bin(input, 'nx show projects --affected --base="$NX_BASE" --head="$NX_HEAD" --json > "$AFFECTED_FILE"')
      : bin(input, 'lucid affected --base="$NX_BASE" --head="$NX_HEAD" --json > "$AFFECTED_FILE"');
  const force = opts.forceInput ? "${{ inputs.force-rebuild && 'true' || 'false' }}" : 'false';
  return {
    name: 'plan (container projects to build, by phase)',
    'runs-on': input.runner,
    'timeout-minutes': 15,
    // nx-set-shas reads the workflow runs of the default branch.
    permissions: { contents: 'read', actions: 'read' },
    outputs: planOutputs(input),
    steps: [
      checkout({ fullHistory: true }),
      setShas(input),
      ...setupNode(input),
      graphStep(input),
      {
        name: `Affected projects (${input.affected === 'nx' ? 'nx show projects --affected' : 'lucid affected'} --json)`,
        if: opts.forceInput ? '!inputs.force-rebuild' : undefined,
        env: { AFFECTED_FILE },
        run: affectedCommand,
      },
      planStep(input, force),
    ],
  };
}
