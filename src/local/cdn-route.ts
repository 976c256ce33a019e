/**
 * `GET /cdn/<dir>/<key>`: what `cdn.<domain>` serves from R2 in production,
 * served locally from the R2 stand-in bucket with the stored headers.
 */
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Hono } from "hono";
import { isAwsError } from "../aws/errors.ts";
import type { AppEnv } from "../http/context.ts";
import { errorBody } from "../http/errors.ts";

export const CDN_PATH = "/cdn";

export interface CdnRouteOptions {
  readonly s3: S3Client;
  readonly bucket: string;
}

/** Adds the CDN route to `app` (Hono answers HEAD from GET routes). */
export function registerCdnRoute(
  app: Hono<AppEnv>,
  options: CdnRouteOptions,
): void {
  app.get(`${CDN_PATH}/*`, async function serveCdnObject(c) {
    const key = r2KeyOf(new URL(c.req.url).pathname);
    if (!key) return notFound(c.req.path);

    try {
      const object = await options.s3.send(
        new GetObjectCommand({ Bucket: options.bucket, Key: key }),
        { abortSignal: c.req.raw.signal },
      );
      const headers = new Headers();
      const set = (name: string, value: string | number | undefined) => {
        if (value !== undefined) headers.set(name, String(value));
      };
      set("Content-Type", object.ContentType ?? "application/octet-stream");
      set("Content-Length", object.ContentLength);
      set("Cache-Control", object.CacheControl);
      set("Content-Encoding", object.ContentEncoding);
      set("Content-Disposition", object.ContentDisposition);
      set("ETag", object.ETag);
      set("Last-Modified", object.LastModified?.toUTCString());

      return new Response(object.Body?.transformToWebStream() ?? null, {
        headers,
      });
    } catch (error) {
      if (isAwsError(error, "NoSuchKey")) return notFound(c.req.path);
      throw error;
    }
  });
}

/** The R2 key of a `/cdn/...` path, or undefined when it names none. */
export function r2KeyOf(pathname: string): string | undefined {
  const rest = pathname.slice(CDN_PATH.length + 1);
  if (rest === "" || !rest.includes("/")) return undefined;

  try {
    return rest.split("/").map(decodeURIComponent).join("/");
  } catch {
    return undefined;
  }
}

function notFound(path: string): Response {
  return Response.json(errorBody("not_found", `Nothing is stored at ${path}`), {
    status: 404,
  });
}
