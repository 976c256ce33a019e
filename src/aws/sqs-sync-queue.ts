import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { SyncQueueError } from "../users/errors.ts";
import type { SyncQueue, SyncRequest } from "../users/ports.ts";
import { formatSyncRequest } from "../users/sync-request.ts";

/** The sync queue in SQS. */
export class SqsSyncQueue implements SyncQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /**
   * Sends one sync request. With `timeoutMs` the call, retries included,
   * is abandoned after that long, so a slow queue cannot hold up a caller
   * with a deadline (the post-authentication trigger).
   */
  async enqueue(
    request: SyncRequest,
    options: { timeoutMs?: number } = {},
  ): Promise<void> {
    const abortSignal =
      options.timeoutMs === undefined
        ? undefined
        : AbortSignal.timeout(options.timeoutMs);
    try {
      await this.client.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: formatSyncRequest(request),
        }),
        { abortSignal },
      );
    } catch (error) {
      throw new SyncQueueError("could not enqueue the sync request", {
        cause: error,
      });
    }
  }
}
