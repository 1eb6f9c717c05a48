/**
 * containers-rescan.yml: once a day, every service's published `latest` is scanned again, by reference, against a
 * freshly downloaded Trivy DB (new CVEs arrive daily; an image that passed at push time is otherwise never looked
 * at again). No push rights anywhere in this workflow:
 *   plan   — every container project by phase, from the project graph when the workflow runs (plan.ts);
 *   scan   — per phase, Trivy through `nx run <svc>:scan --imageRef=…`, token: contents + packages read only;
 *   report — per service, no Trivy: uploads SARIF (category published-<svc>) and opens, updates or closes the
 *            service's issue with the `gh` CLI preinstalled on the runners (issues: write, nothing else that writes).
 */
import type { CiWorkflowInput, Job, Step } from './input';
import { ACTIONS } from './pins';
import { graphStep, planOutputs, planStep } from './plan';
import {
  bin,
  checkout,
  handoffKey,
  restoreHandoff,
  saveHandoff,
  sarifUpload,
  setupNode,
  TRIVY_DB_DIR,
  trivySteps,
} from './steps';

export const RESCAN_LABEL = 'lucid-rescan';
/** Per service: `pass` or `fail`, written by the scan job, read by the report job. */
export const RESCAN_RESULTS = 'rescan-results';

/** `<registry>/<repository>` with the repository lower-cased (from $REGISTRY and $IMAGE_REPOSITORY). */
const IMAGE_PREFIX = 'prefix="$REGISTRY/${IMAGE_REPOSITORY,,}"';

/**
 * Scans each service of $SERVICES (comma-separated) by reference with $NX (the workspace's `nx`); a failing gate
 * (or scan) is recorded, not fatal, so all are scanned.
 */
export const RESCAN_SCRIPT = `mkdir -p "${RESCAN_RESULTS}"
${IMAGE_PREFIX}
status=0
for svc in $(echo "$SERVICES" | tr ',' ' '); do
  if $NX run "$svc:$SCAN_TARGET" --imageRef="$prefix/$svc:latest" --exclude-task-dependencies --skip-nx-cache; then
    echo pass > "${RESCAN_RESULTS}/$svc"
  else
    echo fail > "${RESCAN_RESULTS}/$svc"
    status=1
  fi
done
echo "failed=$status" >> "$GITHUB_OUTPUT"`;

/**
 * The issue of $SERVICE: opened (or updated: found by its exact title and label) when its gate now fails, closed
 * when it passes again. Titles and bodies go through files and arguments, never eval.
 */
export const ISSUES_SCRIPT = `gh label create "${RESCAN_LABEL}" --color B60205 --description "Published image fails the scan gate" --force >/dev/null
${IMAGE_PREFIX}
for result in "${RESCAN_RESULTS}/$SERVICE"; do
  [ -e "$result" ] || continue
  svc=$(basename "$result")
  title="Published image $svc:latest fails the scan gate"
  number=$(gh issue list --label "${RESCAN_LABEL}" --state open --search "\\"$title\\" in:title" --json number,title --jq ".[] | select(.title == \\"$title\\") | .number" | head -n1)
  summary="$OUTPUT_ROOT/$svc/scan/summary.md"
  if [ "$(cat "$result")" = fail ]; then
    {
      echo "The daily re-scan of \\\`$prefix/$svc:latest\\\` against a fresh Trivy DB fails the gate ($RUN_URL)."
      echo
      if [ -f "$summary" ]; then head -c 60000 "$summary"; else echo "The scan itself failed: see the run log."; fi
    } > body.md
    if [ -n "$number" ]; then gh issue edit "$number" --body-file body.md && gh issue comment "$number" --body "Still failing on $(date -u +%Y-%m-%d): $RUN_URL"
    else gh issue create --title "$title" --label "${RESCAN_LABEL}" --body-file body.md; fi
  elif [ -n "$number" ]; then
    gh issue close "$number" --comment "Passes the gate again on $(date -u +%Y-%m-%d): $RUN_URL"
  fi
done`;

const scanHandoff = (input: CiWorkflowInput) => `${RESCAN_RESULTS}\n${input.outputRoot}/*/scan`;
const scanHandoffKey = () => handoffKey('scan', 'rescan-phase-${{ matrix.phase }}');

/** The published images' namespace: the configured repository, else this workflow's own (lower-cased by the scripts). */
const imageEnv = (input: CiWorkflowInput) => ({
  REGISTRY: input.registry,
  IMAGE_REPOSITORY: input.repository ?? '${{ github.repository }}',
});

function rescanPlanJob(input: CiWorkflowInput): Job {
  return {
    name: 'plan (every container project, by phase)',
    'runs-on': input.runner,
    'timeout-minutes': 15,
    permissions: { contents: 'read' },
    outputs: planOutputs({ ...input, sequentialPhases: false }),
    steps: [
      checkout(),
      ...setupNode(input),
      graphStep(input),
      planStep({ ...input, sequentialPhases: false, arm64: 'qemu' }, 'true'),
    ],
  };
}

function ghcrLogin(input: CiWorkflowInput): Step[] {
  if (input.registry !== 'ghcr.io') return [];
  return [
    {
      name: 'Log in to ghcr.io (read-only token: pull only)',
      uses: ACTIONS.login,
      with: { registry: 'ghcr.io', username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' },
    },
  ];
}

function rescanScanJob(input: CiWorkflowInput): Job {
  return {
    name: 're-scan ${{ matrix.label }} (latest)',
    needs: ['plan'],
    if: "needs.plan.outputs.any == 'true'",
    'runs-on': input.runner,
    'timeout-minutes': 60,
    // Read-only: pull the published images, nothing else.
    permissions: { contents: 'read', packages: 'read' },
    strategy: { 'fail-fast': false, matrix: '${{ fromJSON(needs.plan.outputs.matrix) }}' },
    steps: [
      checkout(),
      ...setupNode(input),
      ...ghcrLogin(input),
      ...trivySteps(input, { freshDb: true }),
      {
        name: 'Scan every service of the shard by reference',
        id: 'rescan',
        env: {
          SERVICES: '${{ matrix.projects }}',
          SCAN_TARGET: input.targets.scan,
          NX: bin(input, 'nx'),
          ...imageEnv(input),
        },
        run: RESCAN_SCRIPT,
      },
      saveHandoff('Hand the reports to the report job', scanHandoff(input), scanHandoffKey(), '!cancelled()'),
      {
        name: 'Fail the run when a published image fails the gate',
        if: "steps.rescan.outputs.failed == '1'",
        run: `echo "::error::a published image fails the scan gate (see the issues labelled ${RESCAN_LABEL})"; exit 1`,
      },
    ],
  };
}

function rescanReportJob(input: CiWorkflowInput): Job {
  return {
    name: 're-scan report ${{ matrix.service }}',
    needs: ['plan', 'scan'],
    if: "!cancelled() && needs.scan.result != 'skipped'",
    'runs-on': input.runner,
    'timeout-minutes': 20,
    permissions: { contents: 'read', issues: 'write', 'security-events': 'write' },
    strategy: { 'fail-fast': false, matrix: '${{ fromJSON(needs.plan.outputs.services) }}' },
    steps: [
      checkout(),
      restoreHandoff('Reports of this run', scanHandoff(input), scanHandoffKey()),
      sarifUpload(input, '${{ matrix.service }}', { category: 'published-${{ matrix.service }}' }),
      {
        name: "Open, update or close the service's issue",
        env: {
          GH_TOKEN: '${{ github.token }}',
          GH_REPO: '${{ github.repository }}',
          SERVICE: '${{ matrix.service }}',
          OUTPUT_ROOT: input.outputRoot,
          ...imageEnv(input),
          RUN_URL: '${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}',
        },
        run: ISSUES_SCRIPT,
      },
    ],
  };
}

export function rescanWorkflow(input: CiWorkflowInput): Record<string, unknown> {
  return {
    name: 'containers (daily re-scan of latest)',
    on: { schedule: [{ cron: input.rescanCron }], workflow_dispatch: {} },
    concurrency: { group: '${{ github.workflow }}', 'cancel-in-progress': false },
    permissions: { contents: 'read' },
    env: { NX_NO_CLOUD: 'true', NX_DAEMON: 'false', LUCID_TRIVY_DB_DIR: TRIVY_DB_DIR },
    jobs: { plan: rescanPlanJob(input), scan: rescanScanJob(input), report: rescanReportJob(input) },
  };
}
