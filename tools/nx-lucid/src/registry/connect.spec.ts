import { runWithRedactedFailure } from '../boundary/redacted-failure';

describe('runWithRedactedFailure', () => {
  const saved = process.env.GHCR_TOKEN;
  afterEach(() => {
    if (saved === undefined) delete process.env.GHCR_TOKEN;
    else process.env.GHCR_TOKEN = saved;
  });

  it('reports a failure as success: false with one line that never shows an environment token', async () => {
    process.env.GHCR_TOKEN = 'ghp_secretvalue123';
    const lines: string[] = [];
    const result = await runWithRedactedFailure(
      'push',
      'auth-service',
      async () => {
        throw new Error('registry said: bad credentials ghp_secretvalue123');
      },
      (l) => lines.push(l),
    );
    expect(result).toEqual({ success: false });
    expect(lines).toEqual(['@lucid/nx-lucid:push (auth-service): registry said: bad credentials ***']);
  });

  it('passes success through', async () => {
    expect(
      await runWithRedactedFailure(
        'release',
        'x',
        async () => 'done',
        () => undefined,
      ),
    ).toEqual({ success: true });
  });
});
