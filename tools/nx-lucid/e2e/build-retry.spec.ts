/*
 * Real buildah behind a wrapper that fails the first `build` the way overlay storage does under load
 * (`chdir …/overlay/…/merged: no such file or directory`): the build says why and retries once on fresh storage
 * and succeeds. A wrapper failing every time fails the build after that one retry.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { which } from '../src/boundary/process';
import { pushTestBase } from './support/base-image';
import { startRegistry, TestRegistry } from './support/registry';
import { createWorkspace, ThrowawayWorkspace } from './support/workspace';

const files: Record<string, string> = {
  'apps/svc-retry/project.json': JSON.stringify({ name: 'svc-retry', tags: ['type:service', 'phase:1'] }),
  'apps/svc-retry/src/main.py': 'print("retry")\n',
  'apps/svc-retry/Dockerfile':
    'ARG BASE_IMAGE=gcr.io/lucid-test/base:1\nFROM ${BASE_IMAGE}\nCOPY apps/svc-retry/src/ /app/\nUSER 65532:65532\n',
};

describe('a transient buildah storage error is retried once', () => {
  let registry: TestRegistry;
  let ws: ThrowawayWorkspace;
  beforeAll(async () => {
    registry = await startRegistry();
    await pushTestBase(registry.host, 'mirror/gcr.io/lucid-test/base', '1', 'retry');
    ws = await createWorkspace({ files });
  });
  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
  });

  const build = async (failures: number) => {
    const bin = join(ws.root, `tmp/bin-${failures}`);
    const count = join(bin, 'failed');
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, 'buildah'),
      [
        '#!/bin/sh',
        `case " $* " in *" build "*) n=$(cat "${count}" 2>/dev/null || echo 0); if [ "$n" -lt ${failures} ]; then echo $((n+1)) > "${count}";`,
        '  echo "Error: chdir /tmp/x/storage/root/overlay/0a1b2c/merged: no such file or directory" >&2; exit 125; fi;; esac',
        `exec ${which('buildah')} "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(join(bin, 'buildah'), 0o755);
    const r = await ws.nx(['run', 'svc-retry:container-build', '--outputStyle=static', '--skip-nx-cache'], {
      PATH: `${bin}:${process.env.PATH}`,
      LUCID_ENGINE: 'buildah',
      LUCID_REGISTRY_MIRRORS: `gcr.io=${registry.host}/mirror/gcr.io`,
      LUCID_INSECURE_REGISTRIES: registry.host,
    });
    return { ...r, output: r.stdout + r.stderr, failed: existsSync(count) ? Number(readFileSync(count, 'utf8')) : 0 };
  };

  it('one transient failure: logged, retried on fresh storage, built', async () => {
    const r = await build(1);
    expect(r.exitCode).toBe(0);
    expect(r.failed).toBe(1);
    expect(r.output).toMatch(
      /transient builder storage error, retrying the build once on fresh storage: Error: chdir \/tmp\/x\/storage\/root\/overlay\/0a1b2c\/merged/,
    );
    expect(existsSync(join(ws.root, 'dist/containers/svc-retry/metadata.json'))).toBe(true);
  });
  it('a failure that persists fails after one retry', async () => {
    const r = await build(5);
    expect(r.exitCode).not.toBe(0);
    expect(r.failed).toBe(2);
  });
});
