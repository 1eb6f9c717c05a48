import type { CreateNodesContext } from '@nx/devkit';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodes } from './create-nodes';

describe('plugin option registries: passed to the push, publish and release targets', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'lucid-registries-target-'));
    mkdirSync(join(root, 'apps/api'), { recursive: true });
    writeFileSync(join(root, 'apps/api/Dockerfile'), 'FROM scratch\nCOPY apps/api/src /app\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const targets = async (options: Record<string, unknown>) => {
    const context: CreateNodesContext = { nxJsonConfiguration: {}, workspaceRoot: root };
    const [[, result]] = await createNodes[1](['apps/api/Dockerfile'], options, context);
    return Object.values(result.projects!)[0].targets!;
  };

  it('registries set: every target gets the list, and registry is its first entry', async () => {
    const t = await targets({ registries: ['a.example', 'b.example:5000'] });
    for (const name of ['container-push', 'nx-release-publish', 'container-release'])
      expect(t[name].options).toMatchObject({ registry: 'a.example', registries: ['a.example', 'b.example:5000'] });
  });

  it('registries unset: no registries key, registry as before', async () => {
    const t = await targets({ registry: 'registry.test:5000' });
    expect(t['container-push'].options.registry).toBe('registry.test:5000');
    expect(t['container-push'].options).not.toHaveProperty('registries');
  });
});
