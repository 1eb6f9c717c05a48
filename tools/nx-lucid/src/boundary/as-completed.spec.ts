import { asCompleted } from './as-completed';

/** A promise whose settling the spec controls. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('asCompleted', () => {
  it('yields in completion order, never runs more than `limit` at once, and yields every item once', async () => {
    const gates = [deferred<void>(), deferred<void>(), deferred<void>()];
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const gen = asCompleted([0, 1, 2], 2, async (i) => {
      started.push(i);
      most = Math.max(most, ++running);
      await gates[i].promise;
      running--;
      return `item ${i}`;
    });
    const first = gen.next();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]); // the third waits for a free slot
    gates[1].resolve();
    expect((await first).value).toBe('item 1');
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[2].resolve();
    gates[0].resolve();
    const rest: string[] = [];
    for await (const r of { [Symbol.asyncIterator]: () => gen }) rest.push(r);
    expect(rest.sort()).toEqual(['item 0', 'item 2']);
    expect(most).toBe(2);
  });

  it('yields nothing for no items', async () => {
    const out: unknown[] = [];
    for await (const r of asCompleted([], 4, async () => 1)) out.push(r);
    expect(out).toEqual([]);
  });
});
