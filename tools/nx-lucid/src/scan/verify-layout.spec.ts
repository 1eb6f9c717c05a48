import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest } from '../oci/digest';
import { MediaType } from '../oci/media-types';
import { verifyScanLayout } from './verify-layout';

describe('verifyScanLayout (what scan hands Trivy)', () => {
  let root: string;
  let oci: string;
  let layer: string;
  const blob = (d: string) => join(oci, 'blobs', 'sha256', d.slice(7));
  const put = (content: string) => {
    const digest = sha256Digest(content);
    writeFileSync(blob(digest), content);
    return { digest, size: Buffer.byteLength(content) };
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'scan-verify-'));
    oci = join(root, 'dist', 'oci');
    mkdirSync(join(oci, 'blobs', 'sha256'), { recursive: true });
    const l = put('app layer bytes');
    layer = l.digest;
    const config = put(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { diff_ids: [l.digest] } }));
    const manifest = put(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...l }],
      }),
    );
    const index = put(
      JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaType.ociManifest, ...manifest }] }),
    );
    writeFileSync(
      join(oci, 'index.json'),
      JSON.stringify({ manifests: [{ mediaType: MediaType.ociIndex, ...index }] }),
    );
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('accepts a layout whose every blob hashes to its digest', () => {
    expect(verifyScanLayout(oci, root)).toBe(4);
  });

  it('refuses a layer replaced by a symbolic link (to /etc/shadow, say), naming the file', () => {
    const secret = join(root, 'shadow');
    writeFileSync(secret, 'root:$6$hash');
    unlinkSync(blob(layer));
    symlinkSync(secret, blob(layer));
    expect(() => verifyScanLayout(oci, root)).toThrow(
      `dist/oci/blobs/sha256/${layer.slice(7)} is a symbolic link, not a blob: refusing to scan it`,
    );
  });

  it('refuses a blob whose bytes do not match its digest, and a missing one', () => {
    writeFileSync(blob(layer), 'changed bytes');
    expect(() => verifyScanLayout(oci, root)).toThrow(
      new RegExp(`dist/oci/blobs/sha256/${layer.slice(7)} does not match its digest: it hashes to sha256:`),
    );
    unlinkSync(blob(layer));
    expect(() => verifyScanLayout(oci, root)).toThrow(/is missing: blob sha256:\w+ named by application\/vnd\.oci/);
  });
});
