/*
 * Real: the workspace registry (docker-registry, detached, pidfile) and the distroless stand-in built
 * from Debian packages and pushed as a two-platform index. Needs the Debian mirror (apt) once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBaseImage, registryHasBase } from '../../base-image/build';
import { ensureLocalRegistry, LocalRegistry, registryPaths, stopLocalRegistry } from '../../main-job/registry';
import { freePort } from './support/registry';

describe('workspace registry + distroless stand-in', () => {
  let root: string;
  let port: number;
  let registry: LocalRegistry;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'lucid-mainjob-'));
    port = await freePort();
    registry = await ensureLocalRegistry(root, { port });
  });
  afterAll(async () => {
    await stopLocalRegistry(root);
    rmSync(root, { recursive: true, force: true });
  });

  it('starts once, then reuses the running registry', async () => {
    expect(registry.state).toBe('started');
    const again = await ensureLocalRegistry(root, { port });
    expect(again).toMatchObject({ state: 'reused', pid: registry.pid });
  });

  it('builds the base cold, pushes one two-platform index, and does nothing when warm', async () => {
    const lines: string[] = [];
    const cold = await ensureBaseImage({ workspaceRoot: root, registry: registry.host, log: (l) => lines.push(l) });
    expect(cold.action).toBe('built');
    expect(lines.join('\n')).toMatch(/amd64 rootfs ok \(python ELF e_machine 62; ran as 65532: python 3\.11/);
    expect(lines.join('\n')).toMatch(/arm64 rootfs ok \(python ELF e_machine 183\)/);

    type Desc = { digest: string; mediaType: string; platform: { architecture: string } };
    const index = (await (
      await fetch(`${registry.url}/v2/mirror/gcr.io/distroless/python3-debian12/manifests/nonroot`, {
        headers: { Accept: 'application/vnd.oci.image.index.v1+json' },
      })
    ).json()) as { manifests: Desc[] };
    expect(index.manifests.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
    for (const m of index.manifests) {
      const manifest = (await (
        await fetch(`${registry.url}/v2/mirror/gcr.io/distroless/python3-debian12/manifests/${m.digest}`, {
          headers: { Accept: m.mediaType },
        })
      ).json()) as { config: { digest: string } };
      const config = await (
        await fetch(`${registry.url}/v2/mirror/gcr.io/distroless/python3-debian12/blobs/${manifest.config.digest}`)
      ).json();
      expect(config).toMatchObject({
        architecture: m.platform.architecture,
        config: { User: '65532:65532', Entrypoint: ['/usr/bin/python3.11'] },
      });
    }

    const warm = await ensureBaseImage({ workspaceRoot: root, registry: registry.host });
    expect(warm).toMatchObject({ action: 'skipped', digest: cold.digest });
  });

  it('recovers from a killed registry and a stale pidfile, on the same data', async () => {
    process.kill(registry.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const restarted = await ensureLocalRegistry(root, { port });
    expect(restarted.state).toBe('started');
    expect(restarted.note).toMatch(/stale pidfile/);
    expect(await registryHasBase(restarted.host)).toBeDefined();

    // A pidfile naming some other live process is not trusted: the running registry is found by its command line.
    writeFileSync(registryPaths(root).pidFile, `${process.pid}\n`);
    const found = await ensureLocalRegistry(root, { port });
    expect(found).toMatchObject({ state: 'reused', pid: restarted.pid });
    registry = found;
  });
});
