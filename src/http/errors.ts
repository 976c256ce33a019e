/**
 * Errors the HTTP app answers with. Each carries the status and the stable
 * `code` clients branch on; the message is safe to show and never echoes a
 * token or any other secret.
 */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 429 | 500 | 503,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request carries no usable proof of who the caller is. */
export class HttpUnauthorizedError extends HttpError {
  constructor(message: string, options?: ErrorOptions) {
    super(401, "unauthorized", message, options);
  }
}

/** A parameter is missing or malformed; the message names it. */
export class HttpBadRequestError extends HttpError {
  constructor(message: string, options?: ErrorOptions) {
    super(400, "bad_request", message, options);
  }
}

/** The addressed resource does not exist. */
export class HttpNotFoundError extends HttpError {
  constructor(code: string, message: string) {
    super(404, code, message);
  }
}

/** The caller asked again before the minimum interval passed. */
export class HttpRateLimitedError extends HttpError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      429,
      "rate_limited",
      `Too many sync requests; retry in ${retryAfterSeconds} s`,
    );
  }
}

/** A system the request depends on cannot be reached; retry later. */
export class HttpUnavailableError extends HttpError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(503, code, message, options);
  }
}

/** The body every error response carries. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** The JSON body for `code` and `message`. */
export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
