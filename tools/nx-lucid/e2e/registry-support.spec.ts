import { startRegistry } from './support/registry';

describe('test registry support', () => {
  it('starts a real registry, kills it like a crash, and restarts it on the same port and data', async () => {
    const reg = await startRegistry();
    try {
      expect(await (await fetch(`${reg.url}/v2/_catalog`)).json()).toEqual({ repositories: [] });
      await reg.kill();
      await expect(fetch(`${reg.url}/v2/`)).rejects.toThrow();
      await reg.restart();
      expect((await fetch(`${reg.url}/v2/`)).status).toBe(200);
    } finally {
      await reg.stop();
    }
  });
});
