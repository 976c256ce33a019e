/**
 * Part buffers for multipart uploads: a fixed pool shared by every upload
 * of one copier, so memory stays at pool size x part size however large or
 * numerous the objects (a fresh buffer per part measured about 5x that,
 * waiting for the GC), and a reader that fills them from a stream.
 */
import type { Readable } from "node:stream";
import { Slots } from "../shared/concurrency.ts";

/** R2 and S3 accept parts of 5 MiB and up; 8 MiB matches rclone's chunk. */
export const MIN_PART_SIZE = 8 * 1024 * 1024;
/** S3 and R2 accept at most 10,000 parts per upload. */
const MAX_PARTS = 10_000;
const MIB = 1024 * 1024;

/** A fixed set of MIN_PART_SIZE buffers shared by all uploads of a copier. */
export class PartBuffers {
  private readonly slots: Slots;
  private readonly free: Buffer[] = [];

  constructor(count: number) {
    this.slots = new Slots(count);
  }

  /** A buffer of at least `size` bytes; waits while all are in use. */
  async take(size: number): Promise<Buffer> {
    await this.slots.acquire();
    const buffer = this.free.pop();
    if (buffer && buffer.length >= size) return buffer;

    return Buffer.allocUnsafe(Math.max(size, MIN_PART_SIZE));
  }

  give(buffer: Buffer): void {
    // Oversized parts (objects over 80 GiB) are left to the GC.
    if (buffer.length === MIN_PART_SIZE) this.free.push(buffer);
    this.slots.release();
  }
}

/** Part size for `size` bytes: at least MIN_PART_SIZE, whole MiB. */
export function partSizeFor(size: number): number {
  const needed = Math.ceil(size / MAX_PARTS / MIB) * MIB;

  return Math.max(MIN_PART_SIZE, needed);
}

/** Reads a stream as consecutive buffers of `size` bytes (the last shorter). */
export class PartReader {
  private readonly chunks: AsyncIterator<Buffer>;
  private leftover: Buffer | undefined;
  /** Bytes handed out in parts so far. */
  bytesRead = 0;

  constructor(
    body: Readable,
    private readonly size: number,
  ) {
    this.chunks = body[Symbol.asyncIterator]();
  }

  /** Fills the start of `buffer`; undefined once the body is exhausted. */
  async next(buffer: Buffer): Promise<Buffer | undefined> {
    let filled = 0;
    while (filled < this.size) {
      const chunk = this.leftover ?? (await this.read());
      this.leftover = undefined;
      if (!chunk) break;
      const taken = Math.min(chunk.length, this.size - filled);
      chunk.copy(buffer, filled, 0, taken);
      filled += taken;
      if (taken < chunk.length) this.leftover = chunk.subarray(taken);
    }
    this.bytesRead += filled;

    return filled === 0 ? undefined : buffer.subarray(0, filled);
  }

  private async read(): Promise<Buffer | undefined> {
    const result = await this.chunks.next();

    return result.done ? undefined : result.value;
  }
}
