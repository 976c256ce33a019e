/**
 * Reads a response body up to a limit, so a large or endless body costs at
 * most the limit plus one chunk of memory.
 */

export type CappedBody =
  | { readonly kind: "complete"; readonly bytes: Uint8Array }
  | { readonly kind: "too-large" };

/**
 * The whole body of `response` if it holds at most `limit` bytes. A larger
 * body is refused as soon as it is known to be larger: from Content-Length
 * when the server declares it, otherwise once the running count passes the
 * limit; the rest is never downloaded.
 */
export async function readAtMost(
  response: Response,
  limit: number,
): Promise<CappedBody> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel();
    return { kind: "too-large" };
  }
  if (!response.body) return { kind: "complete", bytes: new Uint8Array() };

  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;

  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;

    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return { kind: "too-large" };
    }
    chunks.push(value);
  }

  return { kind: "complete", bytes: concat(chunks, total) };
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }

  return bytes;
}
