/**
 * Runs `work` on every item of `items` with at most `concurrency` in flight,
 * pulling from the source only as fast as the work completes, so a listing of
 * millions of items is never held in memory at once.
 */
export async function forEachConcurrent<T>(
  items: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(
      `concurrency must be a whole number >= 1, got ${concurrency}`,
    );
  }
  const iterator =
    Symbol.asyncIterator in items
      ? items[Symbol.asyncIterator]()
      : (items as Iterable<T>)[Symbol.iterator]();

  // One shared iterator: each runner takes the next item when it is free.
  async function runner(): Promise<void> {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      await work(next.value);
    }
  }

  await Promise.all(Array.from({ length: concurrency }, runner));
}
