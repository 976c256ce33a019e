import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import S3rver from "s3rver";
import { makeObjectWritesAtomic } from "./s3rver-atomic-writes.ts";
import { type Engine, type Listen, LOOPBACK } from "./types.ts";

export interface S3rverOptions extends Listen {
  /** Folder holding buckets and objects. */
  directory: string;
  /** Buckets created before the server accepts requests. */
  buckets?: string[];
}

/** What s3rver emits after an object is written or removed. */
export interface S3rverObjectEvent {
  eventName: string;
  bucket: string;
  /** Not URL-encoded, unlike real S3 notifications. */
  key: string;
  size?: number;
  eTag?: string;
}

export interface S3rverEngine extends Engine {
  /** Called for each object created or removed (not for DeleteObjects). */
  onObjectEvent(listener: (event: S3rverObjectEvent) => void): void;
}

/**
 * Starts s3rver in this process. Clients must use the access key `S3RVER`,
 * path-style addressing and `WHEN_REQUIRED` checksums (see DESIGN.md); the
 * process needs `--openssl-legacy-provider` for list pagination. Object
 * writes are made to appear at once (see s3rver-atomic-writes.ts).
 */
export async function startS3rver(
  options: S3rverOptions,
): Promise<S3rverEngine> {
  const server = new S3rver({
    address: LOOPBACK,
    port: options.port ?? 0,
    directory: options.directory,
    silent: true,
    vhostBuckets: false,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  makeObjectWritesAtomic(
    (
      server as unknown as {
        store: Parameters<typeof makeObjectWritesAtomic>[0];
      }
    ).store,
  );
  const { port } = (await server.run()) as AddressInfo;
  const httpServer = (server as unknown as { httpServer: Server }).httpServer;

  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    onObjectEvent(listener) {
      server.on("event", (raw: S3rverRawEvent) => {
        for (const record of raw.Records ?? []) {
          listener({
            eventName: record.eventName,
            bucket: record.s3.bucket.name,
            key: record.s3.object.key,
            size: record.s3.object.size,
            eTag: record.s3.object.eTag,
          });
        }
      });
    },
    stop: async () => {
      httpServer.closeAllConnections();
      await server.close();
    },
  };
}

interface S3rverRawEvent {
  Records?: Array<{
    eventName: string;
    s3: {
      bucket: { name: string };
      object: { key: string; size?: number; eTag?: string };
    };
  }>;
}
