/**
 * What the sync-worker tests share: the worker over the real sync, and
 * short ways to change a user in cognito-local and to see their avatars.
 */
import { createHash } from "node:crypto";
import { AdminUpdateUserAttributesCommand } from "@aws-sdk/client-cognito-identity-provider";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { createSyncWorkerHandler } from "../../src/handlers/sync-worker.ts";
import type { UserSyncWiring } from "../../src/handlers/user-sync-wiring.ts";
import { captureObservability } from "../support/observability.ts";
import type { UserSyncEnv } from "../support/user-sync-env.ts";

/** The hash Gravatar is asked for: sha256 of the trimmed lower-case email. */
export const emailHash = (email: string) =>
  createHash("sha256").update(email.trim().toLowerCase()).digest("hex");

export function syncWorkerFixture(
  env: () => UserSyncEnv,
  wiring: () => UserSyncWiring,
) {
  /** The worker with the real sync; its logs and counted metrics are kept. */
  function worker() {
    const capture = captureObservability("sync-worker");
    const counted: string[] = [];
    const handler = createSyncWorkerHandler({
      sync: wiring().sync,
      observability: {
        ...capture.observability,
        count: (name) => {
          counted.push(name);
          capture.observability.count(name);
        },
      },
    });

    return { handler, capture, counted };
  }

  async function updateAttributes(
    userId: string,
    attributes: Record<string, string>,
  ) {
    await env().clients.cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: env().userPoolId,
        Username: userId,
        UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({
          Name,
          Value,
        })),
      }),
    );
  }

  /** The keys stored in the avatars bucket for `userId`. */
  async function avatarKeys(userId: string): Promise<string[]> {
    const { Contents = [] } = await env().clients.s3.send(
      new ListObjectsV2Command({
        Bucket: env().config.AVATARS_BUCKET,
        Prefix: `${userId}/`,
      }),
    );

    return Contents.map((object) => object.Key ?? "");
  }

  return { worker, updateAttributes, avatarKeys };
}
