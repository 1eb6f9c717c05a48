/**
 * containers-release.yml: on a git tag `<project>@<version>` — nx release's default releaseTagPattern
 * `{projectName}@{version}` for independently versioned projects — run `nx release publish` for that project
 * only. Its `nx-release-publish` target pushes the release tags onto the image already built, scanned and pushed
 * for the tagged commit, by digest: nothing is built and Trivy does not run in this workflow.
 */
import type { CiWorkflowInput, Job } from './input';
import { checkout, registryLogin, setupNode } from './steps';

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

export const RELEASE_PUBLISH_TARGET = 'nx-release-publish';

export function releaseWorkflow(input: CiWorkflowInput): Record<string, unknown> {
  const services = input.phases.flatMap((p) => p.services).sort();
  const publish: Job = {
    name: 'publish ${{ github.ref_name }}',
    'runs-on': input.runner,
    'timeout-minutes': 30,
    // The only write: the image's tags on the registry. No Trivy here.
    permissions: { contents: 'read', packages: 'write' },
    steps: [
      checkout({ fullHistory: true }),
      {
        name: 'Project and version from the tag',
        id: 'tag',
        env: { TAG: '${{ github.ref_name }}', KNOWN_PROJECTS: services.join(' ') },
        run: RELEASE_PARSE_SCRIPT,
      },
      ...setupNode(input),
      ...registryLogin(input),
      {
        name: `nx release publish (${RELEASE_PUBLISH_TARGET}: release tags onto the pushed digest, no rebuild)`,
        env: {
          PROJECT: '${{ steps.tag.outputs.project }}',
          ...(input.registry === 'ghcr.io' ? { GHCR_TOKEN: '${{ secrets.GITHUB_TOKEN }}' } : {}),
        },
        run: 'npx nx release publish --projects="$PROJECT" --verbose',
      },
    ],
  };
  return {
    name: 'containers (release)',
    on: { push: { tags: RELEASE_TAG_FILTERS } },
    concurrency: { group: '${{ github.workflow }}-${{ github.ref }}', 'cancel-in-progress': false },
    permissions: { contents: 'read' },
    env: { NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
    jobs: { publish },
  };
}
