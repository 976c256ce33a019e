import { describe, expect, it } from "vitest";
import {
  CdnInvalidEventError,
  CdnKeyRefusedError,
} from "../../src/cdn/errors.ts";
import {
  decodeEventKey,
  keyRefusal,
  mirrorKeyFor,
  R2_MAX_KEY_BYTES,
  r2KeyFor,
} from "../../src/cdn/keys.ts";

describe("decodeEventKey", () => {
  it.each([
    ["plain", "covers/one.jpg", "covers/one.jpg"],
    ["space as +", "red+flower.jpg", "red flower.jpg"],
    ["space as %20", "red%20flower.jpg", "red flower.jpg"],
    ["literal plus", "c%2B%2B.txt", "c++.txt"],
    ["literal percent", "100%25.png", "100%.png"],
    ["non-ASCII", "caf%C3%A9/%E6%9D%B1%E4%BA%AC.png", "café/東京.png"],
    ["nested path", "a/b/c/d.txt", "a/b/c/d.txt"],
    ["encoded slash", "a%2Fb.txt", "a/b.txt"],
    ["mixed", "my+dir/50%25+off+%281%29.jpg", "my dir/50% off (1).jpg"],
  ])("decodes %s", (_name, encoded, decoded) => {
    expect(decodeEventKey(encoded)).toBe(decoded);
  });

  it.each([
    ["lone percent", "100%.png"],
    ["bad hex", "a%zz.png"],
    ["invalid UTF-8", "%FF.png"],
  ])("rejects %s", (_name, encoded) => {
    expect(() => decodeEventKey(encoded)).toThrow(CdnInvalidEventError);
  });
});

describe("keyRefusal", () => {
  it("accepts ordinary, nested and unicode keys", () => {
    expect(keyRefusal("anime", "covers/one.jpg")).toBeUndefined();
    expect(keyRefusal("anime/covers", "東京 1+1%.png")).toBeUndefined();
  });

  it.each([
    ["empty key", ""],
    ["leading slash", "/a.jpg"],
    ["trailing slash", "folder/"],
    ["double slash", "a//b.jpg"],
    ["dot segment", "a/./b.jpg"],
    ["dot-dot segment", "../b.jpg"],
    ["dot-dot only", ".."],
  ])("refuses %s", (_name, key) => {
    expect(keyRefusal("anime", key)).toBeTypeOf("string");
  });

  it("keeps dots inside segment names", () => {
    expect(keyRefusal("anime", "..hidden/a..b/.env")).toBeUndefined();
  });

  it("counts the limit in UTF-8 bytes, directory included", () => {
    const dir = "anime";
    const fits = "a".repeat(R2_MAX_KEY_BYTES - dir.length - 1);
    expect(keyRefusal(dir, fits)).toBeUndefined();
    expect(keyRefusal(dir, `${fits}a`)).toMatch(/1025 bytes/);

    // "é" is two bytes: the same number of characters no longer fits.
    const accented = `${"a".repeat(fits.length - 1)}é`;
    expect(keyRefusal(dir, accented)).toMatch(/over R2's limit/);
  });
});

describe("mirrorKeyFor", () => {
  it("places the key under its directory", () => {
    expect(r2KeyFor("anime/covers", "x/y.png")).toBe("anime/covers/x/y.png");
    expect(mirrorKeyFor("anime", "x y.png")).toBe("anime/x y.png");
  });

  it("throws a refusal naming the reason", () => {
    const refusal = (() => {
      try {
        mirrorKeyFor("anime", "a/../b");
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(CdnKeyRefusedError);
    expect((refusal as CdnKeyRefusedError).reason).toMatch(/'\.\.'/);
  });
});
