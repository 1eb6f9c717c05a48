import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_GATE } from '../config/options';
import { parseTrivyReport, TrivyReport } from './report';
import type { ScanOptions } from './scan-types';
import { sha256Digest } from '../oci/digest';
import { MediaType } from '../oci/media-types';
import { ImagePuller, pullImage } from './pull-image';

/** Real Trivy reports, committed with their origin and licence (__fixtures__/trivy/SOURCES.md). */
export const TRIVY_FIXTURES = resolve(__dirname, '__fixtures__', 'trivy');

/**
 * A registry in memory for the scan use case specs: one image index with a manifest (config + one layer) per
 * platform, served to the real pullImage. Nothing in it is scanned for real: the stand-in Trivy replays a report.
 */
function memoryImage(platforms = ['linux/amd64', 'linux/arm64']) {
  const blobs = new Map<string, { bytes: Buffer; mediaType: string }>();
  const put = (value: unknown, mediaType: string) => {
    const bytes = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
    const digest = sha256Digest(bytes);
    blobs.set(digest, { bytes, mediaType });
    return { mediaType, digest, size: bytes.length };
  };
  const manifests = platforms.map((p) => {
    const [os, architecture] = p.split('/');
    const layer = put(`layer ${p}`, 'application/vnd.oci.image.layer.v1.tar');
    const config = put({ os, architecture, rootfs: { type: 'layers', diff_ids: [layer.digest] } }, MediaType.ociConfig);
    const m = put(
      { schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [layer] },
      MediaType.ociManifest,
    );
    return { ...m, platform: { os, architecture } };
  });
  const index = put({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }, MediaType.ociIndex);
  const client = {
    getManifest: async (_repository: string, reference: string) => {
      const b = blobs.get(reference);
      if (!b) throw new Error(`memory registry: no manifest ${reference}`);
      return { ...b, digest: reference };
    },
    getBlob: async (_repository: string, digest: string) => blobs.get(digest)!.bytes,
  };
  return { indexDigest: index.digest, client };
}
const MEMORY_IMAGE = memoryImage();

/** The scan use case specs' puller: the real pullImage over the in-memory registry. */
export const memoryPuller: ImagePuller = (ref, want, dir) => pullImage(MEMORY_IMAGE.client, ref, want.platforms, dir);

/** The image the scan use case specs scan (by digest), and their options for it. */
export const SCAN_REF = `registry.example:5000/lucid/api@${MEMORY_IMAGE.indexDigest}`;
export const scanOptions = (over: Partial<ScanOptions> = {}): ScanOptions => ({
  outputPath: 'dist/containers/api',
  imageRef: SCAN_REF,
  platforms: ['linux/amd64'],
  gate: { ...DEFAULT_GATE },
  sarif: 'built-in',
  timeoutMinutes: 1,
  dryRun: false,
  ...over,
});

export function fixtureText(name: string): string {
  return readFileSync(resolve(TRIVY_FIXTURES, name), 'utf8');
}
export function fixture(name: string): TrivyReport {
  return parseTrivyReport(fixtureText(name), name);
}
export function jsonFixtureNames(): string[] {
  return readdirSync(TRIVY_FIXTURES)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.cdx.json'))
    .sort();
}

/** Validates SARIF against the vendored SARIF 2.1.0 JSON schema (draft-07), formats checked too. */
export function sarifValidator() {
  const Ajv = require('ajv').default as typeof import('ajv').default;

  const addFormats = require('ajv-formats').default as typeof import('ajv-formats').default;
  const schema = JSON.parse(readFileSync(resolve(__dirname, '__fixtures__', 'sarif-schema-2.1.0.json'), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

const WORDS =
  'buffer overflow heap use-after-free remote attacker crafted request denial service memory corruption integer allows execute arbitrary code via parser library function validation input length bounds check pointer dereference null privilege escalation information disclosure authentication bypass certificate signature verification race condition'.split(
    ' ',
  );

/**
 * A large, deterministic Trivy report built from Trivy's documented fields (pkg/types/report.go): `n` findings over
 * 200 packages in two results, IDs shared by a few packages, every severity, NVD/vendor scores, fixed and
 * affected statuses, English-like descriptions (so it compresses like real text, not like repeated bytes).
 */
export function largeReport(n: number): TrivyReport {
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const text = (words: number) =>
    Array.from({ length: words }, () => WORDS[Math.floor(rnd() * WORDS.length)]).join(' ');
  const sev = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'UNKNOWN'] as const;
  const results = [
    {
      Target: 'ghcr.io/hamigames/lucid/big:1.0.0 (debian 12.5)',
      Class: 'os-pkgs',
      Type: 'debian',
      Vulnerabilities: [] as unknown[],
    },
    { Target: 'app/requirements.txt', Class: 'lang-pkgs', Type: 'pip', Vulnerabilities: [] as unknown[] },
  ];
  for (let i = 0; i < n; i++) {
    const id = `CVE-${2000 + (i % 25)}-${100000 + Math.floor(i / 3)}`;
    const pkg = `pkg-${i % 200}`;
    const severity = sev[Math.floor(rnd() * 5)];
    const score = Math.round(rnd() * 100) / 10;
    const fixed = rnd() < 0.6;
    results[i % 2].Vulnerabilities.push({
      VulnerabilityID: id,
      PkgID: `${pkg}@1.${i % 7}.0`,
      PkgName: pkg,
      PkgIdentifier: { PURL: `pkg:deb/debian/${pkg}@1.${i % 7}.0?distro=debian-12.5` },
      InstalledVersion: `1.${i % 7}.0`,
      ...(fixed ? { FixedVersion: `1.${i % 7}.1`, Status: 'fixed' } : { Status: 'affected' }),
      SeveritySource: 'nvd',
      PrimaryURL: `https://avd.aquasec.com/nvd/${id.toLowerCase()}`,
      Title: text(8),
      Description: text(60),
      Severity: severity,
      CweIDs: ['CWE-787'],
      VendorSeverity: { nvd: sev.indexOf(severity) },
      CVSS: { nvd: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', V3Score: score } },
      References: [`https://nvd.nist.gov/vuln/detail/${id}`, `https://example.org/advisories/${i}`],
      PublishedDate: '2024-01-01T00:00:00Z',
      LastModifiedDate: '2024-06-01T00:00:00Z',
    });
  }
  return parseTrivyReport(
    JSON.stringify({
      SchemaVersion: 2,
      ArtifactName: 'ghcr.io/hamigames/lucid/big:1.0.0',
      ArtifactType: 'container_image',
      Results: results,
    }),
    'large report',
  );
}
