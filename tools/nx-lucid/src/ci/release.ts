/**
 * containers-release.yml: on a git tag `<project>@<version>` — nx release's default releaseTagPattern
 * `{projectName}@{version}` for independently versioned projects — build, scan and publish that project only,
 * with the same job split as containers.yml (pipeline.ts): build (no Trivy, read-only token), scan (Trivy,
 * read-only token), push by digest with no version tag (packages: write), attest (the only job with id-token:
 * signs that digest, provenance and SBOM, attest.ts), then publish, which runs `nx release publish
 * --projects=<project>`: its nx-release-publish target puts the release tags onto the handed-over, already pushed
 * and signed digest (Nx leaves out task dependencies for a filtered publish: nothing is rebuilt or rescanned), so a
 * `requireAttestations` policy finds the bundles it asks for. No job that holds a write token runs Trivy.
 */
import { attestJob } from './attest';
import type { CiWorkflowInput, Job, Step } from './input';
import { RELEASE_PUBLISH_TARGET } from '../graph/release-publish-target';
import { buildJob, Chain, pushJob, scanJob } from './pipeline';
import { archMatrix } from './plan';
import { bin, checkout, registryCredentialEnv, setupNode, sharedEnv } from './steps';

/** GitHub tag filters (glob with + and []): a project name, `@`, a semver with an optional pre-release. */
export const RELEASE_TAG_FILTERS = ['*@[0-9]+.[0-9]+.[0-9]+', '*@[0-9]+.[0-9]+.[0-9]+-*'];

/**
 * Splits $TAG (never interpolated into the script) and checks both halves before anything runs; the project must
 * be one that has the build target in the project graph now ($NX: the workspace's `nx`).
 */
export const RELEASE_PARSE_SCRIPT = `project="\${TAG%@*}"
version="\${TAG##*@}"
if ! printf '%s' "$project" | grep -Eq '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$'; then echo "::error::tag $TAG: \\"$project\\" is not a project name"; exit 1; fi
if ! printf '%s' "$version" | grep -Eq '^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$'; then echo "::error::tag $TAG: \\"$version\\" is not a semver"; exit 1; fi
known=$($NX show projects --with-target "$BUILD_TARGET")
if ! printf '%s\\n' "$known" | grep -qx -- "$project"; then echo "::error::tag $TAG: no container service is named $project"; exit 1; fi
echo "project=$project" >> "$GITHUB_OUTPUT"
echo "version=$version" >> "$GITHUB_OUTPUT"`;

function releasePlanJob(input: CiWorkflowInput): Job {
  return {
    name: 'project and version from ${{ github.ref_name }}',
    'runs-on': input.runner,
    'timeout-minutes': 15,
    permissions: { contents: 'read' },
    outputs: { project: '${{ steps.tag.outputs.project }}', version: '${{ steps.tag.outputs.version }}' },
    steps: [
      checkout(),
      ...setupNode(input),
      {
        name: 'Project and version from the tag',
        id: 'tag',
        env: { TAG: '${{ github.ref_name }}', BUILD_TARGET: input.targets.build, NX: bin(input, 'nx') },
        run: RELEASE_PARSE_SCRIPT,
      },
    ],
  };
}

function releaseChain(input: CiWorkflowInput): Chain {
  const native = input.arm64 === 'native';
  return {
    id: '',
    label: native ? '${{ needs.plan.outputs.project }} on ${{ matrix.platform }}' : '${{ needs.plan.outputs.project }}',
    needs: ['plan'],
    if: "needs.plan.outputs.project != ''",
    strategy: native ? { 'fail-fast': false, matrix: { include: archMatrix(input) } } : undefined,
    projects: '${{ needs.plan.outputs.project }}',
    parallel: '1',
    suffix: native ? 'release-${{ matrix.arch }}' : 'release',
    services: '',
  };
}

/** The tagged project pushed by digest with its sha tags but no version tag: that comes after the signing. */
function releasePushJob(input: CiWorkflowInput, chain: Chain): Job {
  const pushStep = {
    name: 'Push ${{ needs.plan.outputs.project }} by digest (no version tag yet: publish adds it once signed)',
    env: { PROJECT: '${{ needs.plan.outputs.project }}', ...registryCredentialEnv(input) },
    run: bin(
      input,
      `nx run-many -t ${input.targets.push} --projects="$PROJECT" --versionTag=false --latest=never --exclude-task-dependencies`,
    ),
  };
  return { ...pushJob(input, chain, pushStep), name: 'push ${{ needs.plan.outputs.project }}', strategy: undefined };
}

/**
 * The push job's restores, platform merge and credentials; one publish for the tag (no phase or platform matrix),
 * after the digest is signed. Two version tags of one service never publish at once: a concurrency group per
 * service, queued, not cancelled.
 */
function publishJob(input: CiWorkflowInput, chain: Chain): Job {
  const publishStep = {
    name: `nx release publish (${RELEASE_PUBLISH_TARGET}: release tags onto the signed digest, no rebuild)`,
    env: { PROJECT: '${{ needs.plan.outputs.project }}', ...registryCredentialEnv(input) },
    run: bin(input, 'nx release publish --projects="$PROJECT" --verbose'),
  };
  const job = pushJob(input, chain, publishStep);
  return {
    ...job,
    name: 'publish ${{ needs.plan.outputs.project }}',
    needs: ['plan', 'push', 'attest'],
    // Its push record is the push job's (same digest): the attest job already has what it signs.
    steps: (job.steps as Step[]).slice(0, -1),
    concurrency: { group: 'container-publish-${{ needs.plan.outputs.project }}', 'cancel-in-progress': false },
    strategy: undefined,
  };
}

export function releaseWorkflow(input: CiWorkflowInput): Record<string, unknown> {
  const chain = releaseChain(input);
  return {
    name: 'containers (release)',
    on: { push: { tags: RELEASE_TAG_FILTERS } },
    concurrency: { group: '${{ github.workflow }}-${{ github.ref }}', 'cancel-in-progress': false },
    permissions: { contents: 'read' },
    env: sharedEnv(input, input.platforms.join(',')),
    jobs: {
      plan: releasePlanJob(input),
      build: buildJob(input, chain, 'release'),
      scan: scanJob(input, chain),
      push: releasePushJob(input, chain),
      // The pushed digest, signed (provenance and SBOM), in a job of its own: the only one with id-token.
      attest: attestJob(input, chain, 'push', '${{ needs.plan.outputs.project }}'),
      publish: publishJob(input, chain),
    },
  };
}
