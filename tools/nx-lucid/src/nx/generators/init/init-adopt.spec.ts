import { logger, readNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import initGenerator from './generator';

/** A repository laid out as Lucid is: variants per folder, compose-defined contexts, folder-local Dockerfiles. */
function lucidLike() {
  const tree = createTreeWithEmptyWorkspace();
  const files: Record<string, string> = {
    'auth/Dockerfile': 'FROM python:3.12\nCOPY auth/ /app/\n',
    'payment_systems/tron/Dockerfile.tron-client': 'FROM python:3.12\nCOPY payment_systems/tron/client /app\n',
    'payment_systems/tron/Dockerfile.payout-router': 'FROM python:3.12\nCOPY payment_systems/tron/payout /app\n',
    'payment_systems/tron/client/main.py': '',
    'payment_systems/tron/payout/main.py': '',
    // Written for its own folder: its sources exist beside it, and it copies "."
    'sessions/api/Dockerfile': 'FROM python:3.12\nCOPY requirements.txt .\nCOPY . .\n',
    'sessions/api/requirements.txt': '',
    // Two Dockerfiles reading each other's folders, both with the workspace root as context.
    'outer/Dockerfile': 'FROM python:3.12\nCOPY outer/inner/lib /lib\n',
    'outer/common.txt': '',
    'outer/inner/Dockerfile': 'FROM python:3.12\nCOPY outer/common.txt /c\n',
    'outer/inner/lib/x.py': '',
    'deploy/docker-compose.yml':
      'services:\n  gone:\n    build:\n      context: ..\n      dockerfile: missing/Dockerfile.gone\n',
  };
  for (const [f, c] of Object.entries(files)) tree.write(f, c);
  return tree;
}

describe('init adopts a repository', () => {
  it('maps catalogue services, sets folder contexts, builds wait only for FROM images; prints what it mapped and could not', async () => {
    const tree = lucidLike();
    const messages: string[] = [];
    const info = jest.spyOn(logger, 'info').mockImplementation((m: unknown) => void messages.push(String(m)));
    try {
      await initGenerator(tree, {});
    } finally {
      info.mockRestore();
    }
    const entry = readNxJson(tree)!.plugins!.find((p) => typeof p !== 'string' && p.plugin === '@lucid/nx-lucid') as {
      options: { projects: Record<string, unknown>; waitForCopiedProjects: boolean };
    };
    // outer/ and outer/inner/ read each other: waiting only for FROM images keeps that out of the task graph.
    expect(entry.options.waitForCopiedProjects).toBe(false);
    expect(entry.options.projects).toEqual({
      'auth/Dockerfile': { name: 'auth-service', tags: ['phase:1', 'scope:auth', 'type:service'] },
      'payment_systems/tron/Dockerfile.tron-client': {
        name: 'tron-client',
        tags: ['phase:4', 'scope:tron', 'type:service'],
      },
      'payment_systems/tron/Dockerfile.payout-router': {
        name: 'tron-payout-router',
        tags: ['phase:4', 'scope:tron', 'type:service'],
      },
      'sessions/api/Dockerfile': {
        name: 'session-api',
        tags: ['phase:3', 'scope:sessions', 'type:service'],
        context: 'sessions/api',
      },
    });
    const text = messages.join('\n');
    expect(text).toContain('auth-service (phase 1) <- auth/Dockerfile');
    expect(text).toContain('not mapped (no Dockerfile found) 25:');
    expect(text).toContain('redis: looked for apps/redis/Dockerfile');
    expect(text).toContain('sessions/api/Dockerfile -> sessions/api');
    expect(text).toContain(
      'deploy/docker-compose.yml: service "gone": builds missing/Dockerfile.gone, which does not exist',
    );
  });

  it('a catalogue from the options (nx.json generator defaults) replaces the seed', async () => {
    const tree = lucidLike();
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    await initGenerator(tree, {
      catalogue: [{ name: 'gate', phase: 2, scope: 'auth', dockerfiles: ['auth/Dockerfile'] }],
    });
    jest.restoreAllMocks();
    const entry = readNxJson(tree)!.plugins!.find((p) => typeof p !== 'string') as {
      options: { projects: Record<string, { name?: string }> };
    };
    expect(entry.options.projects['auth/Dockerfile']).toEqual({
      name: 'gate',
      tags: ['phase:2', 'scope:auth', 'type:service'],
    });
    expect(entry.options.projects['payment_systems/tron/Dockerfile.tron-client']).toBeUndefined();
  });
});
