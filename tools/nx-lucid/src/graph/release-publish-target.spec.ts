import type { CreateNodesContext } from '@nx/devkit';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodes } from './create-nodes';

describe('nx-release-publish: inferred for every container project', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'lucid-release-target-'));
    mkdirSync(join(root, 'apps/api'), { recursive: true });
    writeFileSync(join(root, 'apps/api/Dockerfile'), 'FROM scratch\nCOPY apps/api/src /app\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const targets = async (options: Record<string, unknown> = {}) => {
    const context: CreateNodesContext = { nxJsonConfiguration: {}, workspaceRoot: root };
    const [[, result]] = await createNodes[1](['apps/api/Dockerfile'], options, context);
    return Object.values(result.projects!)[0].targets!;
  };

  it('after build and scan (nothing unscanned is published), with the push target options, never cached', async () => {
    const t = await targets({ registry: 'registry.test:5000', tags: [{ type: 'semver', pattern: '{{major}}' }] });
    const publish = t['nx-release-publish'];
    expect(publish).toMatchObject({
      executor: '@lucid/nx-lucid:release-publish',
      cache: false,
      dependsOn: ['container-build', 'scan'],
    });
    expect(publish.options).toEqual(t['container-push'].options);
    expect(publish.options).toMatchObject({ registry: 'registry.test:5000', outputPath: 'dist/containers/api' });
  });

  it('follows the renamed build and scan targets, and the gate switch as container-push does', async () => {
    const t = await targets({ targetNames: { build: 'image', scan: 'cve' }, gate: { enabled: false } });
    expect(t['nx-release-publish'].dependsOn).toEqual(['image']);
    const gated = await targets({ targetNames: { build: 'image', scan: 'cve' } });
    expect(gated['nx-release-publish'].dependsOn).toEqual(['image', 'cve']);
  });

  it('the build and scan it depends on key NX_DRY_RUN: the plans `nx release --dry-run` runs never take a real cache key', async () => {
    const t = await targets();
    for (const name of ['container-build', 'scan']) expect(t[name].inputs).toContainEqual({ env: 'NX_DRY_RUN' });
  });
});
