/**
 * The workflow emulator's stand-in for actions/attest-build-provenance and actions/attest-sbom (Sigstore and
 * GitHub's attestations API cannot be reached here): it must refuse what the real actions refuse, and a job
 * without the permissions signing needs, or the emulated CI would pass a workflow that fails on GitHub.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACTIONS } from '../src/ci/workflows';
import { ATTEST_PERMISSIONS } from '../src/ci/attest';
import { Emulation, runJob, Workflow } from './support/workflow-emulator';

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'attest-standin-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

const DIGEST = `sha256:${'b'.repeat(64)}`;
const CDX =
  '{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:00000000-0000-4000-8000-000000000000"}';

function emulation(): Emulation {
  return {
    origin: root,
    jobsDir: root,
    cacheDir: join(root, 'cache'),
    github: { repository: 'acme/shop', sha: 'x', ref: 'refs/heads/main', ref_name: 'main', event_name: 'push' },
    secrets: {},
    inputs: {},
    shas: { base: 'x', head: 'x' },
    trivyBin: root,
    path: [],
    envOverride: {},
    validateSarif: () => null,
    record: [],
  };
}

/** A job that writes an SBOM file and signs `name@digest` with both actions. */
function workflow(over: { permissions?: Record<string, string>; with?: Record<string, unknown>; sbom?: string }) {
  const subject = { 'subject-name': 'ghcr.io/acme/shop/api', 'subject-digest': DIGEST, 'push-to-registry': true };
  const job = {
    permissions: over.permissions ?? { ...ATTEST_PERMISSIONS },
    steps: [
      { name: 'SBOM', run: `printf '%s' '${over.sbom ?? CDX}' > sbom.cdx.json` },
      { name: 'provenance', uses: ACTIONS.attestProvenance, with: { ...subject, ...over.with } },
      { name: 'sbom', uses: ACTIONS.attestSbom, with: { ...subject, 'sbom-path': 'sbom.cdx.json', ...over.with } },
    ],
  };
  return { jobs: { attest: job } } as unknown as Workflow;
}

describe('attest actions stand-in (workflow emulator)', () => {
  it('records the subject of a well-formed call in a job with id-token, attestations and packages: write', async () => {
    const emu = emulation();
    await runJob(emu, workflow({}), 'attest');
    expect(emu.record).toContain(`actions/attest-build-provenance ghcr.io/acme/shop/api@${DIGEST}`);
    expect(emu.record).toContain(`actions/attest-sbom ghcr.io/acme/shop/api@${DIGEST} sbom.cdx.json (CycloneDX)`);
  });

  it.each<[string, Parameters<typeof workflow>[0], RegExp]>([
    [
      'no id-token: write',
      { permissions: { contents: 'read', attestations: 'write', packages: 'write' } },
      /lacks id-token: write/,
    ],
    [
      'no attestations: write',
      { permissions: { 'id-token': 'write', packages: 'write' } },
      /lacks attestations: write/,
    ],
    [
      'a digest that is not sha256',
      { with: { 'subject-digest': 'sha256:abc' } },
      /subject-digest "sha256:abc" is not sha256/,
    ],
    [
      'a tagged name',
      { with: { 'subject-name': 'ghcr.io/acme/shop/api:latest' } },
      /is not a fully qualified image name/,
    ],
    ['two subject forms', { with: { 'subject-path': 'sbom.cdx.json' } }, /exactly one of subject-path, subject-digest/],
    ['push-to-registry off', { with: { 'push-to-registry': false } }, /push-to-registry is "false"/],
    ['an SBOM that is not CycloneDX or SPDX', { sbom: '{"SchemaVersion":2}' }, /Unsupported SBOM format/],
  ])('refuses %s', async (_label, over, message) => {
    await expect(runJob(emulation(), workflow(over), 'attest')).rejects.toThrow(message);
  });
});
