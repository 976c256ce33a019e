/**
 * The HTTP API: one Hono app, served by API Gateway's HTTP API through the
 * Lambda adapter and by a Node server locally. Every answer that is not a
 * success is JSON `{ "error": { "code", "message" } }`.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { methodNotAllowed } from "hono/method-not-allowed";
import {
  type AppContext,
  type AppEnv,
  consoleJsonLogger,
  describeError,
  type HttpLogger,
  newRequestId,
} from "./context.ts";
import { corsOriginMatcher } from "./cors-origins.ts";
import type { AppDeps } from "./deps.ts";
import { errorBody, HttpError, HttpRateLimitedError } from "./errors.ts";
import { registerSyncRoutes } from "./routes/sync.ts";
import { registerUserRoutes } from "./routes/users.ts";

/** How long browsers may cache a CORS preflight answer. */
const CORS_MAX_AGE_SECONDS = 600;

/** Builds the app around `deps`; it holds no state of its own. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const logger = deps.logger ?? consoleJsonLogger;
  const app = new Hono<AppEnv>();

  app.use(async function assignRequestId(c, next) {
    const id = newRequestId(c);
    c.set("requestId", id);
    c.header("X-Request-Id", id);
    await next();
  });
  if (deps.corsOrigins && deps.corsOrigins.length > 0) {
    app.use(
      cors({
        origin: corsOriginMatcher(deps.corsOrigins),
        allowMethods: ["GET", "POST"],
        allowHeaders: ["Authorization", "Content-Type"],
        exposeHeaders: ["Retry-After", "X-Request-Id"],
        maxAge: CORS_MAX_AGE_SECONDS,
      }),
    );
  }
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        c.json(
          errorBody(
            "method_not_allowed",
            `${c.req.method} is not allowed here; use ${methods.join(", ")}`,
          ),
          405,
          { Allow: methods.join(", ") },
        ),
    }),
  );

  registerSyncRoutes(app, deps, logger);
  registerUserRoutes(app, deps);

  app.notFound((c) =>
    c.json(
      errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`),
      404,
    ),
  );
  app.onError((error, c) => errorResponse(error, c, logger));

  return app;
}

function errorResponse(
  error: Error,
  c: AppContext,
  logger: HttpLogger,
): Response {
  const requestId = c.get("requestId");
  if (error instanceof HttpError) {
    if (error.status === 401) {
      logger.warn("request unauthorized", { requestId, reason: error.message });
    }
    if (error instanceof HttpRateLimitedError) {
      c.header("Retry-After", String(error.retryAfterSeconds));
    }

    return c.json(errorBody(error.code, error.message), error.status);
  }

  logger.error("request failed", {
    requestId,
    method: c.req.method,
    path: c.req.path,
    error: describeError(error),
  });

  return c.json(
    errorBody(
      "internal_error",
      `Something went wrong on our side; quote request id ${requestId}`,
    ),
    500,
  );
}
