/**
 * containers-prune.yml: on a schedule (and by hand), the registry retention policy of nx.json (plugin option
 * `retention`) over every service, `lucid prune`; on a pull request that changes nx.json or this workflow, only
 * what it would delete (`--dry-run`). Two jobs, least privilege:
 *   dry-run — usage report and prune --dry-run into the job summary; token: contents + packages read, and on a
 *             pull request no registry secret;
 *   prune   — not on pull requests; the only job with packages: write, and it runs nothing but `lucid prune`.
 */
import type { CiWorkflowInput, Job } from './input';
import { bin, checkout, registryCredentialEnv, setupNode } from './steps';

export const PRUNE_CRON = '41 3 * * 1';

/**
 * The dry-run job's credentials: on a pull request it runs the pull request's own code, so it gets the job's
 * read-only GITHUB_TOKEN and no registry secret (they can write); on the schedule and by hand, the push's.
 */
export function readCredentialEnv(input: CiWorkflowInput): Record<string, string> {
  return registryCredentialEnv(input, (name) => `\${{ github.event_name != 'pull_request' && secrets.${name} || '' }}`);
}

function dryRunJob(input: CiWorkflowInput): Job {
  return {
    name: 'registry usage and what the retention policy would delete',
    'runs-on': input.runner,
    'timeout-minutes': 30,
    permissions: { contents: 'read', packages: 'read' },
    steps: [
      checkout(),
      ...setupNode(input),
      {
        name: 'Registry usage per service (table and job summary)',
        env: readCredentialEnv(input),
        run: bin(input, 'lucid usage'),
      },
      {
        name: 'Prune, dry run: every deletion with its reason and size',
        env: readCredentialEnv(input),
        run: bin(input, 'lucid prune --dry-run'),
      },
    ],
  };
}

function pruneJob(input: CiWorkflowInput): Job {
  return {
    name: 'prune (retention policy in nx.json)',
    needs: ['dry-run'],
    if: "github.event_name != 'pull_request'",
    'runs-on': input.runner,
    'timeout-minutes': 60,
    // The one job that deletes: packages: write, and nothing else runs with it.
    permissions: { contents: 'read', packages: 'write' },
    steps: [
      checkout(),
      ...setupNode(input),
      { name: 'Prune every service', env: registryCredentialEnv(input), run: bin(input, 'lucid prune') },
    ],
  };
}

export function pruneWorkflow(input: CiWorkflowInput): Record<string, unknown> {
  return {
    name: 'containers (registry prune)',
    on: {
      schedule: [{ cron: input.pruneCron ?? PRUNE_CRON }],
      workflow_dispatch: {},
      pull_request: { paths: ['nx.json', '.github/workflows/containers-prune.yml'] },
    },
    // Two prunes at once are safe, but one after the other reads better in the log.
    concurrency: { group: '${{ github.workflow }}-${{ github.ref }}', 'cancel-in-progress': false },
    permissions: { contents: 'read' },
    jobs: { 'dry-run': dryRunJob(input), prune: pruneJob(input) },
  };
}
