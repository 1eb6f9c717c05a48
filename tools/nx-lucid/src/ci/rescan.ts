/**
 * containers-rescan.yml: once a day, every service's published `latest` is scanned again, by reference, against a
 * freshly downloaded Trivy DB (new CVEs arrive daily; an image that passed at push time is otherwise never looked
 * at again). No push rights anywhere in this workflow:
 *   scan   — per phase, Trivy through `nx run <svc>:scan --imageRef=…`, token: contents + packages read only;
 *   report — no Trivy: uploads SARIF (category published-<svc>) and opens, updates or closes one issue per
 *            service with the `gh` CLI preinstalled on the runners (issues: write, nothing else that writes).
 */
import type { CiWorkflowInput, Job } from './input';
import { ACTIONS } from './pins';
import {
  checkout,
  handoffKey,
  restoreHandoff,
  saveHandoff,
  sarifUploads,
  scanSummaryStep,
  setupNode,
  trivySteps,
} from './steps';

export const RESCAN_LABEL = 'lucid-rescan';
/** Per service: `pass` or `fail`, written by the scan job, read by the report job. */
export const RESCAN_RESULTS = 'rescan-results';

/** Scans each service of $SERVICES by reference; a failing gate (or scan) is recorded, not fatal, so all are scanned. */
export const RESCAN_SCRIPT = `mkdir -p "${RESCAN_RESULTS}"
status=0
for svc in $SERVICES; do
  if npx nx run "$svc:$SCAN_TARGET" --imageRef="$IMAGE_PREFIX/$svc:latest" --exclude-task-dependencies --skip-nx-cache; then
    echo pass > "${RESCAN_RESULTS}/$svc"
  else
    echo fail > "${RESCAN_RESULTS}/$svc"
    status=1
  fi
done
echo "failed=$status" >> "$GITHUB_OUTPUT"`;

/**
 * One issue per service whose gate now fails (found by its exact title and label; updated, or created), and the
 * issue of a service that passes again closed. Titles and bodies go through files and arguments, never eval.
 */
export const ISSUES_SCRIPT = `gh label create "${RESCAN_LABEL}" --color B60205 --description "Published image fails the scan gate" --force >/dev/null
for result in ${RESCAN_RESULTS}/*; do
  [ -e "$result" ] || continue
  svc=$(basename "$result")
  title="Published image $svc:latest fails the scan gate"
  number=$(gh issue list --label "${RESCAN_LABEL}" --state open --search "\\"$title\\" in:title" --json number,title --jq ".[] | select(.title == \\"$title\\") | .number" | head -n1)
  summary="$OUTPUT_ROOT/$svc/scan/summary.md"
  if [ "$(cat "$result")" = fail ]; then
    {
      echo "The daily re-scan of \\\`$IMAGE_PREFIX/$svc:latest\\\` against a fresh Trivy DB fails the gate ($RUN_URL)."
      echo
      if [ -f "$summary" ]; then head -c 60000 "$summary"; else echo "The scan itself failed: see the run log."; fi
    } > body.md
    if [ -n "$number" ]; then gh issue edit "$number" --body-file body.md && gh issue comment "$number" --body "Still failing on $(date -u +%Y-%m-%d): $RUN_URL"
    else gh issue create --title "$title" --label "${RESCAN_LABEL}" --body-file body.md; fi
  elif [ -n "$number" ]; then
    gh issue close "$number" --comment "Passes the gate again on $(date -u +%Y-%m-%d): $RUN_URL"
  fi
done`;

export function rescanWorkflow(input: CiWorkflowInput): Record<string, unknown> {
  const imagePrefix = `${input.registry}/${input.repository}`;
  const matrix = {
    'fail-fast': false,
    matrix: { include: input.phases.map((p) => ({ phase: p.phase, services: p.services.join(' ') })) },
  };
  const allServices = input.phases.flatMap((p) => p.services);
  const scan: Job = {
    name: 're-scan phase ${{ matrix.phase }} (latest)',
    'runs-on': input.runner,
    'timeout-minutes': 60,
    // Read-only: pull the published images, nothing else.
    permissions: { contents: 'read', packages: 'read' },
    strategy: matrix,
    steps: [
      checkout(),
      ...setupNode(input),
      ...(input.registry === 'ghcr.io'
        ? [
            {
              name: 'Log in to ghcr.io (read-only token: pull only)',
              uses: ACTIONS.login,
              with: { registry: 'ghcr.io', username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' },
            },
          ]
        : []),
      ...trivySteps(input, { freshDb: true }),
      {
        name: 'Scan every service of the phase by reference',
        id: 'rescan',
        env: { SERVICES: '${{ matrix.services }}', SCAN_TARGET: input.targets.scan, IMAGE_PREFIX: imagePrefix },
        run: RESCAN_SCRIPT,
      },
      scanSummaryStep(input),
      saveHandoff(
        'Hand the reports to the report job',
        `${RESCAN_RESULTS}\n${input.outputRoot}/*/scan`,
        handoffKey('scan', 'rescan-phase-${{ matrix.phase }}'),
        '!cancelled()',
      ),
      {
        name: 'Fail the run when a published image fails the gate',
        if: "steps.rescan.outputs.failed == '1'",
        run:
          'echo "::error::a published image fails the scan gate (see the issues labelled ' +
          RESCAN_LABEL +
          ')"; exit 1',
      },
    ],
  };
  const report: Job = {
    name: 're-scan report phase ${{ matrix.phase }}',
    needs: ['scan'],
    if: '!cancelled()',
    'runs-on': input.runner,
    'timeout-minutes': 20,
    permissions: { contents: 'read', issues: 'write', 'security-events': 'write' },
    strategy: matrix,
    steps: [
      checkout(),
      restoreHandoff(
        'Reports of this run',
        `${RESCAN_RESULTS}\n${input.outputRoot}/*/scan`,
        handoffKey('scan', 'rescan-phase-${{ matrix.phase }}'),
      ),
      ...sarifUploads(input, allServices, { category: (s) => `published-${s}` }),
      {
        name: 'Open, update or close one issue per service',
        env: {
          GH_TOKEN: '${{ github.token }}',
          GH_REPO: '${{ github.repository }}',
          OUTPUT_ROOT: input.outputRoot,
          IMAGE_PREFIX: imagePrefix,
          RUN_URL: '${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}',
        },
        run: ISSUES_SCRIPT,
      },
    ],
  };
  return {
    name: 'containers (daily re-scan of latest)',
    on: { schedule: [{ cron: input.rescanCron }], workflow_dispatch: {} },
    concurrency: { group: '${{ github.workflow }}', 'cancel-in-progress': false },
    permissions: { contents: 'read' },
    env: { NX_NO_CLOUD: 'true', NX_DAEMON: 'false', LUCID_TRIVY_DB_DIR: '.lucid/trivy-db' },
    jobs: { scan, report },
  };
}
