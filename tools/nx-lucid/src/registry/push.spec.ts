import { rankMountSources } from './push';

describe('rankMountSources', () => {
  const prefix = '127.0.0.1:5055/hamigames/lucid/';

  it('puts siblings already pushed to this registry and namespace first, newest first, then the rest by name', () => {
    const ranked = rankMountSources(
      [
        { repository: 'hamigames/lucid/api-gateway' },
        { repository: 'hamigames/lucid/tron-staking', pushedImage: `${prefix}tron-staking`, pushedAtMs: 100 },
        { repository: 'hamigames/lucid/auth-service', pushedImage: 'ghcr.io/hamigames/lucid/auth-service', pushedAtMs: 300 },
        { repository: 'hamigames/lucid/redis', pushedImage: `${prefix}redis`, pushedAtMs: 200 },
        { repository: 'hamigames/lucid/admin-interface' },
      ],
      prefix,
    );
    expect(ranked).toEqual([
      'hamigames/lucid/redis',
      'hamigames/lucid/tron-staking',
      'hamigames/lucid/admin-interface',
      'hamigames/lucid/api-gateway',
      // pushed, but to another registry: no better than never pushed here
      'hamigames/lucid/auth-service',
    ]);
  });

  it('keeps name order when nothing was pushed yet', () => {
    expect(rankMountSources([{ repository: 'b' }, { repository: 'a' }], prefix)).toEqual(['a', 'b']);
  });
});
