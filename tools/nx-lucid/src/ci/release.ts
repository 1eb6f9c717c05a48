/**
 * containers-release.yml: on a git tag `<project>@<version>` — nx release's default releaseTagPattern
 * `{projectName}@{version}` for independently versioned projects — build, scan and publish that project only,
 * with the same job split as containers.yml (pipeline.ts): build (no Trivy, read-only token), scan (Trivy,
 * read-only token), then publish, the only job with packages: write and no Trivy, which runs
 * `nx release publish --projects=<project>`: its nx-release-publish target pushes the handed-over build output
 * by digest with the release tags (Nx leaves out task dependencies for a filtered publish: nothing is rebuilt
 * or rescanned there). Blobs the registry has from the main pipeline are skipped.
 */
import type { CiWorkflowInput, Job } from './input';
import { RELEASE_PUBLISH_TARGET } from '../graph/release-publish-target';
import { buildJob, Chain, pushJob, scanJob } from './pipeline';
import { archMatrix } from './plan';
import { registryCredentialEnv, sharedEnv } from './steps';

/** GitHub tag filters (glob with + and []): a project name, `@`, a semver with an optional pre-release. */
export const RELEASE_TAG_FILTERS = ['*@[0-9]+.[0-9]+.[0-9]+', '*@[0-9]+.[0-9]+.[0-9]+-*'];

/** Splits $TAG (never interpolated into the script) and checks both halves before anything runs. */
export const RELEASE_PARSE_SCRIPT = `project="\${TAG%@*}"
version="\${TAG##*@}"
if ! printf '%s' "$project" | grep -Eq '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$'; then echo "::error::tag $TAG: \\"$project\\" is not a project name"; exit 1; fi
if ! printf '%s' "$version" | grep -Eq '^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$'; then echo "::error::tag $TAG: \\"$version\\" is not a semver"; exit 1; fi
if ! printf '%s\\n' $KNOWN_PROJECTS | grep -qx "$project"; then echo "::error::tag $TAG: no container service is named $project"; exit 1; fi
echo "project=$project" >> "$GITHUB_OUTPUT"
echo "version=$version" >> "$GITHUB_OUTPUT"`;

export function releaseWorkflow(input: CiWorkflowInput): Record<string, unknown> {
  const services = input.phases.flatMap((p) => p.services).sort();
  const native = input.arm64 === 'native';
  const plan: Job = {
    name: 'project and version from ${{ github.ref_name }}',
    'runs-on': input.runner,
    'timeout-minutes': 5,
    permissions: { contents: 'read' },
    outputs: { project: '${{ steps.tag.outputs.project }}', version: '${{ steps.tag.outputs.version }}' },
    steps: [
      {
        name: 'Project and version from the tag',
        id: 'tag',
        env: { TAG: '${{ github.ref_name }}', KNOWN_PROJECTS: services.join(' ') },
        run: RELEASE_PARSE_SCRIPT,
      },
    ],
  };
  const chain: Chain = {
    id: '',
    label: native ? '${{ needs.plan.outputs.project }} on ${{ matrix.platform }}' : '${{ needs.plan.outputs.project }}',
    needs: ['plan'],
    if: "needs.plan.outputs.project != ''",
    strategy: native ? { 'fail-fast': false, matrix: { include: archMatrix(input) } } : undefined,
    projects: '${{ needs.plan.outputs.project }}',
    parallel: '1',
    suffix: native ? 'release-${{ matrix.arch }}' : 'release',
    services,
  };
  const publishStep = {
    name: `nx release publish (${RELEASE_PUBLISH_TARGET}: release tags onto the built digest, no rebuild)`,
    env: {
      PROJECT: '${{ needs.plan.outputs.project }}',
      ...registryCredentialEnv(input),
    },
    run: 'npx nx release publish --projects="$PROJECT" --verbose',
  };
  // The push job's restores, platform merge and login; one publish for the tag (no phase or platform matrix).
  const publish: Job = {
    ...pushJob(input, chain, publishStep),
    name: 'publish ${{ needs.plan.outputs.project }}',
    strategy: undefined,
  };
  return {
    name: 'containers (release)',
    on: { push: { tags: RELEASE_TAG_FILTERS } },
    concurrency: { group: '${{ github.workflow }}-${{ github.ref }}', 'cancel-in-progress': false },
    permissions: { contents: 'read' },
    env: sharedEnv(input, input.platforms.join(',')),
    jobs: { plan, build: buildJob(input, chain, 'push'), scan: scanJob(input, chain), publish },
  };
}
