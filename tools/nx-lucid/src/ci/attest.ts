/**
 * Keyless signing in CI, as GitHub users expect: for every pushed service, actions/attest-build-provenance (SLSA
 * provenance of this workflow run) and actions/attest-sbom (the scan's scan/sbom.cdx.json) sign with the
 * workflow's OIDC identity through Sigstore and push the bundles to the registry beside the image
 * (`push-to-registry`: one subject per call, so one call per service: a matrix over the pushed services in
 * containers.yml, the one tagged service in containers-release.yml). The subject is the push record's `image`
 * (registry/repository/name, no tag) and `digest` (the index). Only these jobs hold `id-token: write` and
 * `attestations: write` (plus `packages: write` to push the bundles); none runs Trivy (policy.ts).
 */
import type { Chain, CiWorkflowInput, Job, Step } from './input';
import { ACTIONS } from './pins';
import { checkout, handoffKey, pushRegistries, registrySecret, saveHandoff } from './steps';

/** The permissions of a job that attests (and nothing else writes). */
export const ATTEST_PERMISSIONS = {
  contents: 'read',
  'id-token': 'write',
  attestations: 'write',
  packages: 'write',
} as const;

/**
 * Reads the push record into step outputs; checks what the attest actions need (a fully qualified, lower-case
 * image name without a tag, a sha256 digest, the SBOM file). A service this run did not push is skipped with a
 * notice (its push failed, and that job failed the run).
 */
export const ATTEST_SUBJECT_SCRIPT = `const fs = require('fs');
const env = process.env;
const fail = (msg) => { console.log('::error::' + msg); process.exit(1); };
const out = (k, v) => fs.appendFileSync(env.GITHUB_OUTPUT, k + '=' + v + '\\n');
if (!fs.existsSync(env.PUSH_RECORD)) {
  console.log('::notice::' + env.SERVICE + ' was not pushed by this run (no ' + env.PUSH_RECORD + '): nothing to attest');
  out('pushed', 'false');
  process.exit(0);
}
const record = JSON.parse(fs.readFileSync(env.PUSH_RECORD, 'utf8'));
if (!/^sha256:[a-f0-9]{64}$/.test(String(record.digest))) fail(env.PUSH_RECORD + ': digest ' + JSON.stringify(record.digest) + ' is not sha256:<64 hex>');
if (!/^[a-z0-9.-]+(:[0-9]+)?(\\/[a-z0-9._-]+)+$/.test(String(record.image))) fail(env.PUSH_RECORD + ': image ' + JSON.stringify(record.image) + ' is not registry/repository/name in lower case');
if (!fs.existsSync(env.SBOM)) fail(env.SBOM + ' not found: the scan target writes it (the SBOM attested with the image)');
const images = record.registries ? record.registries.map((r) => r.image) : [record.image];
const signed = Number(env.REGISTRIES || 1);
if (images.length !== signed) fail(env.PUSH_RECORD + ': pushed to ' + images.join(', ') + ', but the workflow signs for ' + signed + ' registries: re-run nx g @lucid/nx-lucid:ci');
images.forEach((image, i) => out('image_' + i, image));
out('image', record.image);
out('digest', record.digest);
out('pushed', 'true');
console.log(env.SERVICE + ': ' + record.image + '@' + record.digest);`;

/** A login for one registry the attestations go to, with the push's credentials. */
function registryLogin(input: CiWorkflowInput, registry: string, when: string): Step {
  const credentials =
    registry === 'ghcr.io'
      ? { username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' }
      : {
          username: `\${{ secrets.${registrySecret(input, registry, 'USERNAME')} }}`,
          password: `\${{ secrets.${registrySecret(input, registry, 'PASSWORD')} }}`,
        };
  return {
    name: `Log in to ${registry} (the attestations are pushed beside the image)`,
    if: when,
    uses: ACTIONS.login,
    with: { registry, ...credentials },
  };
}

/**
 * The subject, then for each registry the image went to (same digest everywhere) a login and the provenance and
 * SBOM attestations, so that a policy finds the bundles in every registry a release reads.
 */
export function attestSteps(input: CiWorkflowInput, service: string): Step[] {
  const dir = `${input.outputRoot}/${service}`;
  const when = "steps.subject.outputs.pushed == 'true'";
  const all = pushRegistries(input);
  const perRegistry = all.flatMap((registry, i) => {
    const subject = {
      'subject-name': `\${{ steps.subject.outputs.image${all.length > 1 ? `_${i}` : ''} }}`,
      'subject-digest': '${{ steps.subject.outputs.digest }}',
      'push-to-registry': true,
    };
    const where = all.length > 1 ? ` in ${registry}` : '';
    return [
      registryLogin(input, registry, when),
      {
        name: `Sign SLSA build provenance for ${service}${where}`,
        if: when,
        uses: ACTIONS.attestProvenance,
        with: subject,
      },
      {
        name: `Sign the SBOM of ${service}${where} (scan/sbom.cdx.json)`,
        if: when,
        uses: ACTIONS.attestSbom,
        with: { ...subject, 'sbom-path': `${dir}/scan/sbom.cdx.json` },
      },
    ];
  });
  return [
    {
      name: `Image and digest ${service} was pushed as (push.json)`,
      id: 'subject',
      shell: 'node {0}',
      env: {
        SERVICE: service,
        PUSH_RECORD: `${dir}/push.json`,
        SBOM: `${dir}/scan/sbom.cdx.json`,
        REGISTRIES: String(all.length),
      },
      run: ATTEST_SUBJECT_SCRIPT,
    },
    ...perRegistry,
  ];
}

/** The push job's hand-off to the attest job: each pushed service's push.json and the SBOM it is attested with. */
const pushHandoffKey = (chain: Chain) => handoffKey('push', chain.suffix.replace('-${{ matrix.arch }}', ''));

export function saveAttestSubjects(input: CiWorkflowInput, chain: Chain): Step {
  return saveHandoff(
    'Hand the push records and SBOMs to the attest job',
    `${input.outputRoot}/*/push.json\n${input.outputRoot}/*/scan/sbom.cdx.json`,
    pushHandoffKey(chain),
    '!cancelled()',
  );
}

/**
 * The attest job: after `after` (containers.yml's push: one job per pushed service, the plan's services matrix;
 * containers-release.yml's publish: the one `service`). Signing gets a job of its own so that the OIDC token is
 * never within reach of the steps that install and run the workspace's code.
 */
export function attestJob(input: CiWorkflowInput, chain: Chain, after = `push${chain.id}`, service?: string): Job {
  return {
    name: `attest ${service ?? '${{ matrix.service }}'}`,
    needs: [...chain.needs.filter((n) => n === 'plan'), after],
    // After a partly failed push too: every image that did reach the registry gets its attestations.
    if: `!cancelled() && needs.${after}.result != 'skipped'`,
    'runs-on': input.runner,
    'timeout-minutes': 15,
    permissions: { ...ATTEST_PERMISSIONS },
    ...(service ? {} : { strategy: { 'fail-fast': false, matrix: `\${{ fromJSON(${chain.services}) }}` } }),
    steps: [
      checkout(),
      {
        name: 'Push records and SBOMs of this run',
        uses: ACTIONS.cacheRestore,
        with: {
          path: `${input.outputRoot}/*/push.json\n${input.outputRoot}/*/scan/sbom.cdx.json`,
          key: pushHandoffKey(chain),
        },
      },
      ...attestSteps(input, service ?? '${{ matrix.service }}'),
    ],
  };
}
