import { describe, expect, it } from "vitest";
import { parseS3Event } from "../../src/cdn/s3-event.ts";
import { eventBridgeEventOf } from "../../src/local/s3-events.ts";

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
