/**
 * engine auto against a stock Docker Engine whose buildx builder is the `docker` driver: a `docker` stand-in (there is
 * no Docker here) answers `buildx version` and reports the driver from `buildx inspect`; buildah is the real one.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILDX_FIX, selectEngine } from './select';

describe('selectEngine with a docker whose builder uses the docker driver', () => {
  let bin: string;
  const savedPath = process.env.PATH;
  const docker = (driver: string) => {
    const file = join(bin, 'docker');
    writeFileSync(
      file,
      `#!/bin/sh\ncase "$1 $2" in\n"buildx version") echo "github.com/docker/buildx v0.12.1 abc";;\n` +
        `"buildx inspect") printf 'Name: default\\nDriver: ${driver}\\n';;\n*) exit 1;;\nesac\n`,
    );
    chmodSync(file, 0o755);
  };
  const usePath = (path: string) => {
    process.env.PATH = path;
    return { ...process.env, PATH: path };
  };
  beforeEach(() => (bin = mkdtempSync(join(tmpdir(), 'lucid-docker-stand-in-'))));
  afterEach(() => {
    process.env.PATH = savedPath;
    rmSync(bin, { recursive: true, force: true });
  });

  it('auto uses buildah, saying why and how to make buildx usable', async () => {
    docker('docker');
    const selected = await selectEngine('auto', usePath(`${bin}:/usr/bin`));
    expect(selected.engine.name).toBe('buildah');
    expect(selected.reason).toContain('engine: auto → buildah');
    expect(selected.reason).toContain("buildx's current builder uses the docker driver");
    expect(selected.reason).toContain(BUILDX_FIX);
  });

  it('auto without buildah or podman fails with the exact fix command', async () => {
    docker('docker');
    await expect(selectEngine('auto', usePath(bin))).rejects.toThrow(
      `Fix: docker buildx create --driver docker-container --use (or a remote builder)`,
    );
  });

  it('engine buildx with the docker driver fails with the fix; docker-container is used', async () => {
    docker('docker');
    await expect(selectEngine('buildx', usePath(`${bin}:/usr/bin`))).rejects.toThrow(`run \`${BUILDX_FIX}\``);
    docker('docker-container');
    expect((await selectEngine('auto', usePath(`${bin}:/usr/bin`))).engine.name).toBe('buildx');
  });
});
