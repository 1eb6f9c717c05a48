/**
 * Runs fn over items, `limit` at a time, and yields each result as soon as it is ready (completion order, not
 * item order). fn must not throw: a batch reports every item's outcome, so failures are results too.
 */
export async function* asCompleted<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const done: R[] = [];
  let wake: (() => void) | undefined;
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      done.push(await fn(items[next++]));
      wake?.();
    }
  };
  const all = Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  for (let yielded = 0; yielded < items.length;) {
    if (done.length === 0) await new Promise<void>((r) => (wake = r));
    while (done.length) {
      yielded++;
      yield done.shift()!;
    }
  }
  await all;
}
