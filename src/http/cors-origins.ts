/**
 * Which browser origins may call the API. Entries are exact origins
 * (`https://www.example.com`) or, for local development, an origin with any
 * port (`http://localhost:*`), since dev servers pick their own port.
 */

/** A Hono `cors` origin function: the allowed origin, or null. */
export function corsOriginMatcher(
  allowed: readonly string[],
): (origin: string) => string | null {
  const exact = new Set(allowed.filter((entry) => !entry.endsWith(":*")));
  const anyPort = allowed
    .filter((entry) => entry.endsWith(":*"))
    .map((entry) => entry.slice(0, -1));

  return function allowedOrigin(origin) {
    if (exact.has(origin)) return origin;
    const port = anyPort
      .filter((prefix) => origin.startsWith(prefix))
      .map((prefix) => origin.slice(prefix.length));

    return port.some((digits) => /^\d{1,5}$/.test(digits)) ? origin : null;
  };
}
