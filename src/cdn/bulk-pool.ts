/**
 * Runs `work` over `items` with at most `limit` calls in flight. Stops
 * taking new items once `signal` aborts; calls already running finish.
 * `work` reports its own failures; a throw here is a bug and rejects.
 */
export async function forEachLimited<T>(
  items: Iterable<T>,
  limit: number,
  work: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const iterator = items[Symbol.iterator]();

  async function worker(): Promise<void> {
    while (!signal?.aborted) {
      const next = iterator.next();
      if (next.done) return;
      await work(next.value);
    }
  }

  const workers = Array.from({ length: Math.max(1, limit) }, worker);
  await Promise.all(workers);
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
