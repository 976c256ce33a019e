import { describe, expect, it } from "vitest";
import { deleteCap } from "../../src/cdn/backfill-delete.ts";
import { planDir } from "../../src/cdn/backfill-plan.ts";
import type {
  BackfillPorts,
  ListedObject,
} from "../../src/cdn/backfill-ports.ts";
import { diffListings, settleUnsure } from "../../src/cdn/diff.ts";

const object = (key: string, size: number, etag: string): ListedObject => ({
  key,
  size,
  etag,
});

describe("diffListings", () => {
  it("sorts keys into missing, extra, different, same and unsure", () => {
    const source = [
      object("new.png", 10, "aaa"),
      object("same.png", 20, "bbb"),
      object("resized.png", 30, "ccc"),
      object("multipart.bin", 40, "ddd-3"),
    ];
    const target = [
      object("same.png", 20, '"bbb"'),
      object("resized.png", 31, "ccc"),
      object("multipart.bin", 40, "eee"),
      object("orphan.png", 5, "fff"),
    ];

    const diff = diffListings(source, target);

    expect(diff.missing.map((o) => o.key)).toEqual(["new.png"]);
    expect(diff.extra.map((o) => o.key)).toEqual(["orphan.png"]);
    expect(diff.different.map((p) => p.source.key)).toEqual(["resized.png"]);
    expect(diff.same.map((p) => p.source.key)).toEqual(["same.png"]);
    expect(diff.unsure.map((p) => p.source.key)).toEqual(["multipart.bin"]);
  });

  it("finds nothing to do when both sides match", () => {
    const listing = [object("a", 1, "x"), object("b/c", 2, "y")];

    const diff = diffListings(listing, [...listing].reverse());

    expect(diff.same).toHaveLength(2);
    expect([...diff.missing, ...diff.extra, ...diff.different]).toEqual([]);
  });
});

describe("settleUnsure", () => {
  it("counts an object as the same when R2 recorded the source ETag", async () => {
    const diff = diffListings(
      [object("mp.bin", 9, "src-2"), object("other.bin", 9, "src-9")],
      [object("mp.bin", 9, "r2-etag"), object("other.bin", 9, "r2-other")],
    );
    const recorded: Record<string, string> = { "mp.bin": '"src-2"' };

    const settled = await settleUnsure(diff, async (key) => recorded[key], 2);

    expect(settled.same.map((p) => p.source.key)).toEqual(["mp.bin"]);
    expect(settled.different.map((p) => p.source.key)).toEqual(["other.bin"]);
    expect(settled.unsure).toEqual([]);
  });
});

describe("deleteCap", () => {
  it("defaults to a tenth of the directory, rounded down", () => {
    expect(deleteCap(9)).toBe(0);
    expect(deleteCap(10)).toBe(1);
    expect(deleteCap(1999)).toBe(199);
    expect(deleteCap(1999, 5)).toBe(5);
  });
});

describe("planDir", () => {
  it("reports keys R2 cannot hold instead of copying them", async () => {
    const longKey = `${`${"k".repeat(200)}/`.repeat(6)}x.png`;
    const ports = inMemoryPorts(
      [
        object("ok.png", 1, "a"),
        object("a//b.png", 1, "b"),
        object("./c.png", 1, "c"),
        object(longKey, 1, "d"),
      ],
      [],
    );
    const entry = { dir: "covers", bucket: "src", parameter: "/p/covers" };

    const plan = await planDir(ports, entry, "r2");

    expect(plan.diff.missing.map((o) => o.key)).toEqual(["ok.png"]);
    expect(plan.refused.map((r) => r.key)).toEqual([
      "a//b.png",
      "./c.png",
      longKey,
    ]);
    expect(plan.refused[2]?.reason).toContain("1024");
  });
});

function inMemoryPorts(
  source: ListedObject[],
  target: ListedObject[],
): BackfillPorts {
  const pages = (objects: ListedObject[]) =>
    (async function* list() {
      yield objects;
    })();

  return {
    source: { list: () => pages(source), exists: async () => false },
    target: {
      list: () => pages(target),
      storedSourceEtag: async () => undefined,
      deleteMany: async () => [],
    },
    copier: { copy: async () => 0 },
  };
}
