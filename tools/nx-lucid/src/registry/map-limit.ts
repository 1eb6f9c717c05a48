/** Runs fn over items, `limit` at a time; after the first failure no item starts and `stopped()` is true. */
export async function mapLimit<T>(
  items: T[],
  limit: number,
  fn: (item: T, stopped: () => boolean) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: unknown;
  const stopped = () => failure !== undefined;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++];
      try {
        await fn(item, stopped);
      } catch (e) {
        failure ??= e;
      }
    }
  });
  await Promise.all(workers);
  if (failure !== undefined) throw failure;
}
