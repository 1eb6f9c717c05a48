import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, readArtifact, writeArtifact } from './artifacts';
import { PushRecord } from './push-record';

const record: PushRecord = {
  schemaVersion: 1,
  project: 'api',
  image: 'ghcr.io/hamigames/lucid/api',
  digest: `sha256:${'a'.repeat(64)}`,
  platforms: ['linux/amd64'],
  tags: ['latest'],
  uploadedBytes: 10,
  blobs: {
    total: 3,
    uploaded: 1,
    uploadedBytes: 10,
    mounted: 1,
    mountedBytes: 5,
    skipped: 1,
    skippedBytes: 7,
    resumedBytes: 0,
  },
  manifestsPut: 2,
  retries: 0,
};

describe('artifacts', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'artifacts-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a record atomically (no temp file left) and reads it back through the same schema', () => {
    writeArtifact(dir, ARTIFACTS.push, record);
    expect(readdirSync(dir)).toEqual(['push.json']);
    expect(readArtifact(dir, ARTIFACTS.push)).toEqual(record);
    expect(readFileSync(join(dir, 'push.json'), 'utf8').endsWith('}\n')).toBe(true);
  });

  it('refuses to write a record that does not match its schema, leaving the old file', () => {
    writeArtifact(dir, ARTIFACTS.push, record);
    const bad = { ...record, blobs: { ...record.blobs, uploaded: -1 } };
    expect(() => writeArtifact(dir, ARTIFACTS.push, bad)).toThrow(
      /does not match the push record schema:\n {2}- blobs\.uploaded/,
    );
    expect(readArtifact(dir, ARTIFACTS.push)).toEqual(record);
  });

  it('a missing file reads as undefined; a drifted or broken one is an error naming it', () => {
    expect(readArtifact(dir, ARTIFACTS.verify)).toBeUndefined();
    writeFileSync(join(dir, 'push.json'), JSON.stringify({ tags: [], uploadedBytes: 0, uploadedBlobs: 3 }));
    expect(() => readArtifact(dir, ARTIFACTS.push)).toThrow(/push\.json does not match the push record schema/);
    writeFileSync(join(dir, 'push.json'), '{"tags": [');
    expect(() => readArtifact(dir, ARTIFACTS.push)).toThrow(/push\.json is not valid JSON/);
  });
});
