import type { SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { parseS3Event } from "../../src/cdn/s3-event.ts";
import {
  eventBridgeEventOf,
  forwardObjectEvents,
} from "../../src/local/s3-events.ts";

describe("s3rver events as EventBridge events", () => {
  it.each([
    "plain.png",
    "red flower.jpg",
    "a+b.png",
    "100%.txt",
    "dir/naïve café/日本.png",
  ])("the CDN sync reads back the key %s", (key) => {
    const event = eventBridgeEventOf({
      eventName: "ObjectCreated:Put",
      bucket: "anime-assets",
      key,
      size: 3,
      eTag: '"abc"',
    });

    expect(parseS3Event(event)).toMatchObject({
      detailType: "Object Created",
      bucket: "anime-assets",
      key,
    });
  });

  it("reports removals as Object Deleted and ignores other events", () => {
    const removed = eventBridgeEventOf({
      eventName: "ObjectRemoved:Delete",
      bucket: "b",
      key: "k",
    });

    expect(parseS3Event(removed).detailType).toBe("Object Deleted");
    expect(
      eventBridgeEventOf({
        eventName: "ObjectTagging:Put",
        bucket: "b",
        key: "k",
      }),
    ).toBeUndefined();
  });
});

describe("forwarding s3rver events to the CDN queue", () => {
  it("on stop, waits for the sends in flight and drops later events", async () => {
    const sent: string[] = [];
    const releases: Array<() => void> = [];
    const sqs = {
      send: (command: { input: { MessageBody: string } }) =>
        new Promise<void>((resolve) => {
          releases.push(() => {
            sent.push(parseS3Event(JSON.parse(command.input.MessageBody)).key);
            resolve();
          });
        }),
    } as unknown as SQSClient;
    const forwarding = forwardObjectEvents({
      sqs,
      queueUrl: "http://sqs.us-east-1.localhost:1/000000000000/cdn-sync",
      ignoredBuckets: new Set(["cdn-r2"]),
      onError: (error) => {
        throw error;
      },
    });
    const put = (key: string) =>
      forwarding.listener({ eventName: "ObjectCreated:Put", bucket: "b", key });

    put("before-stop.png");
    let stopped = false;
    const stopping = forwarding.stop().then(() => {
      stopped = true;
    });
    put("after-stop.png");
    await Promise.resolve();

    expect(stopped).toBe(false);
    for (const release of releases) release();
    await stopping;
    expect(sent).toEqual(["before-stop.png"]);
  });
});
