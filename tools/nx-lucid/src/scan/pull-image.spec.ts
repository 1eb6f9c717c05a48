import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest } from '../oci/digest';
import { pullImage } from './pull-image';
import { memoryPuller, SCAN_REF } from './test-support';
import { verifyScanLayout } from './verify-layout';

describe('pullImage (a scan by reference: our client pulls, Trivy reads a layout)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pull-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('pulls the asked platforms of an index into a layout whose every blob matches its digest', async () => {
    const pulled = await memoryPuller(SCAN_REF, { platforms: ['linux/arm64'], insecureRegistries: [] }, dir);
    expect(pulled.digest).toBe(SCAN_REF.split('@')[1]);
    expect(pulled.manifests.map((m) => [m.platform, m.descriptor.platform])).toEqual([
      ['linux/arm64', { os: 'linux', architecture: 'arm64' }],
    ]);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(index.manifests.map((m: { digest: string }) => m.digest)).toEqual([pulled.manifests[0].descriptor.digest]);
    // index, manifest, config, layer
    expect(verifyScanLayout(dir, dir)).toBe(3);
  });

  it('no platform asked: linux/amd64, the default Trivy (go-containerregistry) would take', async () => {
    const pulled = await memoryPuller(SCAN_REF, { platforms: [undefined], insecureRegistries: [] }, dir);
    expect(pulled.manifests.map((m) => m.platform)).toEqual(['linux/amd64']);
  });

  it('a platform the index lacks, or a registry answering other bytes than the digest named, fails with a clear error', async () => {
    await expect(memoryPuller(SCAN_REF, { platforms: ['linux/s390x'], insecureRegistries: [] }, dir)).rejects.toThrow(
      /^platform linux\/s390x is not in registry\.example:5000\/lucid\/api@sha256:\w+ \(it has linux\/amd64, linux\/arm64\); nothing was scanned$/,
    );
    const lying = {
      getManifest: async () => ({ bytes: Buffer.from('{"schemaVersion":2}'), mediaType: 'x', digest: 'y' }),
      getBlob: async () => Buffer.alloc(0),
    };
    const ref = `registry.example:5000/lucid/api@${sha256Digest('something else')}`;
    await expect(pullImage(lying, ref, [undefined], dir)).rejects.toThrow(/manifest sha256:\w+ hashes to sha256:\w+/);
  });
});
