import { openSession } from './connect';

describe('which credentials a registry is sent', () => {
  const openRegistry = (async () => new Response('{}', { status: 200 })) as unknown as typeof fetch;
  const target = (registry: string) => ({
    registry,
    repository: 'hamigames/lucid/api',
    image: `${registry}/hamigames/lucid/api`,
    insecureRegistries: [registry],
  });
  const session = (registry: string, env: NodeJS.ProcessEnv) =>
    openSession(target(registry), { retries: 0 }, env, { client: { fetchImpl: openRegistry } }, () => undefined);

  it('never sends GHCR_TOKEN / GITHUB_TOKEN to a registry other than ghcr.io', async () => {
    const env = { GHCR_TOKEN: 'ghp_for_github_only', GITHUB_TOKEN: 'ghs_for_github_only', HOME: '/nonexistent' };
    expect((await session('registry.example:5000', env)).credentials).toBeUndefined();
  });
});
