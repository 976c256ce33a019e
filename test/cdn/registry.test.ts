import { describe, expect, it } from "vitest";
import { CdnRegistryError } from "../../src/cdn/errors.ts";
import { parseRegistry } from "../../src/cdn/registry.ts";

const PREFIX = "/cdn-bucket/";
const param = (dir: string, value: string) => ({
  name: `${PREFIX}${dir}`,
  value,
});

function registryError(run: () => unknown): CdnRegistryError {
  try {
    run();
  } catch (error) {
    if (error instanceof CdnRegistryError) return error;
    throw error;
  }
  throw new Error("expected a CdnRegistryError");
}

describe("parseRegistry", () => {
  it("maps each parameter to a directory, sorted, nested paths included", () => {
    const registry = parseRegistry(
      [
        param("manga", "manga-assets"),
        param("anime/covers", "anime-covers.prod"),
        param("site_2", " site2-static \n"),
      ],
      PREFIX,
    );

    expect(registry).toEqual([
      {
        dir: "anime/covers",
        bucket: "anime-covers.prod",
        parameter: "/cdn-bucket/anime/covers",
      },
      { dir: "manga", bucket: "manga-assets", parameter: "/cdn-bucket/manga" },
      {
        dir: "site_2",
        bucket: "site2-static",
        parameter: "/cdn-bucket/site_2",
      },
    ]);
  });

  it("accepts an empty registry", () => {
    expect(parseRegistry([], PREFIX)).toEqual([]);
  });

  it.each([
    "Anime",
    "anime covers",
    "anime//covers",
    "anime/",
    "anime.covers",
    "",
    "ànime",
  ])("rejects the directory %j, naming its parameter", (dir) => {
    const error = registryError(() =>
      parseRegistry([param(dir, "good-bucket")], PREFIX),
    );

    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.parameters).toEqual([`${PREFIX}${dir}`]);
    expect(error.message).toContain(`${PREFIX}${dir}`);
    expect(error.message).toMatch(/lower-case letters/);
  });

  it.each([
    "ab",
    "a".repeat(64),
    "Upper-case",
    "under_score",
    "-leading",
    "trailing-",
    "two..dots",
    "192.168.1.1",
    "xn--bucket",
    "bucket-s3alias",
  ])("rejects the bucket name %j", (bucket) => {
    const error = registryError(() =>
      parseRegistry([param("anime", bucket)], PREFIX),
    );

    expect(error.problems[0]?.parameters).toEqual(["/cdn-bucket/anime"]);
    expect(error.message).toContain(`bucket name '${bucket}'`);
  });

  it("rejects one bucket under two directories, naming both parameters", () => {
    const error = registryError(() =>
      parseRegistry(
        [param("anime", "shared"), param("manga", "shared"), param("x", "ok1")],
        PREFIX,
      ),
    );

    expect(error.problems).toEqual([
      {
        parameters: ["/cdn-bucket/anime", "/cdn-bucket/manga"],
        message: "register bucket 'shared' under more than one directory",
      },
    ]);
  });

  it("rejects nested directories, whose R2 prefixes would overlap", () => {
    const error = registryError(() =>
      parseRegistry(
        [param("anime", "anime-a"), param("anime/covers", "anime-b")],
        PREFIX,
      ),
    );

    expect(error.problems[0]?.parameters).toEqual([
      "/cdn-bucket/anime",
      "/cdn-bucket/anime/covers",
    ]);
  });

  it("reports every problem at once", () => {
    const error = registryError(() =>
      parseRegistry(
        [param("Bad", "ok-bucket"), param("good", "BAD"), param("fine", "x-y")],
        PREFIX,
      ),
    );

    expect(error.problems.map((problem) => problem.parameters)).toEqual([
      ["/cdn-bucket/Bad"],
      ["/cdn-bucket/good"],
    ]);
  });

  it("rejects a parameter outside the prefix", () => {
    const error = registryError(() =>
      parseRegistry([{ name: "/other/anime", value: "bucket-a" }], PREFIX),
    );

    expect(error.message).toContain("/other/anime");
  });
});
