/**
 * Runs `work` on every item of `items` with at most `concurrency` in flight,
 * pulling from the source only as fast as the work completes, so a listing of
 * millions of items is never held in memory at once. Once `signal` aborts no
 * new item is taken; calls already running finish. `work` reports its own
 * failures: a throw rejects the whole run.
 */
export async function forEachConcurrent<T>(
  items: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  work: (item: T) => Promise<void>,
  signal?: AbortSignal,
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
    while (!signal?.aborted) {
      const next = await iterator.next();
      if (next.done) return;
      await work(next.value);
    }
  }

  await Promise.all(Array.from({ length: concurrency }, runner));
}

/** A counting semaphore: bounds buffers or requests shared by many tasks. */
export class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(count: number) {
    this.free = count;
  }

  /** Resolves once a slot is held; pair each call with one `release`. */
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}
