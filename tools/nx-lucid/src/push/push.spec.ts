import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OciLayout } from '../oci/layout';
import { addAttestations } from '../oci/testing/attestations';
import { writeLayout } from '../verify/testing/layer-builder';
import { rankMountSources, readPushSource } from './push';

describe('rankMountSources', () => {
  const prefix = '127.0.0.1:5055/hamigames/lucid/';

  it('puts siblings already pushed to this registry and namespace first, newest first, then the rest by name', () => {
    const ranked = rankMountSources(
      [
        { repository: 'hamigames/lucid/api-gateway' },
        { repository: 'hamigames/lucid/tron-staking', pushedImage: `${prefix}tron-staking`, pushedAtMs: 100 },
        {
          repository: 'hamigames/lucid/auth-service',
          pushedImage: 'ghcr.io/hamigames/lucid/auth-service',
          pushedAtMs: 300,
        },
        { repository: 'hamigames/lucid/redis', pushedImage: `${prefix}redis`, pushedAtMs: 200 },
        { repository: 'hamigames/lucid/admin-interface' },
      ],
      prefix,
    );
    expect(ranked).toEqual([
      'hamigames/lucid/redis',
      'hamigames/lucid/tron-staking',
      'hamigames/lucid/admin-interface',
      'hamigames/lucid/api-gateway',
      // pushed, but to another registry: no better than never pushed here
      'hamigames/lucid/auth-service',
    ]);
  });

  it('keeps name order when nothing was pushed yet', () => {
    expect(rankMountSources([{ repository: 'b' }, { repository: 'a' }], prefix)).toEqual(['a', 'b']);
  });
});

describe('readPushSource with BuildKit attestations', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lucid-push-src-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('pushes every attestation manifest and its blobs, and counts only real platforms', async () => {
    await writeLayout(dir, [
      { platform: { os: 'linux', architecture: 'amd64' }, layers: [{ entries: [{ name: 'a', content: 'a' }] }] },
      { platform: { os: 'linux', architecture: 'arm64' }, layers: [{ entries: [{ name: 'a', content: 'b' }] }] },
    ]);
    const index = addAttestations(dir);
    const source = readPushSource(OciLayout.open(dir));
    expect(source.index.digest).toBe(index.digest);
    expect(source.manifests.map((m) => m.platform ?? 'attestation')).toEqual([
      'linux/amd64',
      'linux/arm64',
      'attestation',
      'attestation',
    ]);
    // Each attestation manifest brings its in-toto layer.
    expect(source.blobs.filter((b) => b.mediaType === 'application/vnd.in-toto+json')).toHaveLength(2);
  });
});
