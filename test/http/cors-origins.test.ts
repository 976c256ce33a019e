import { describe, expect, it } from "vitest";
import { corsOriginMatcher } from "../../src/http/cors-origins.ts";

describe("CORS origins", () => {
  const allowed = corsOriginMatcher([
    "https://www.example.test",
    "http://localhost:*",
  ]);

  it("allows an exact origin and a local dev server on any port", () => {
    expect(allowed("https://www.example.test")).toBe(
      "https://www.example.test",
    );
    expect(allowed("http://localhost:5173")).toBe("http://localhost:5173");
    expect(allowed("http://localhost:3000")).toBe("http://localhost:3000");
  });

  it.each([
    "https://www.example.test.evil.test",
    "https://evil.test",
    "http://localhost",
    "http://localhost:",
    "http://localhost:5173.evil.test",
    "http://localhost:5173@evil.test",
    "http://localhost:123456",
    "https://localhost:5173",
    "",
  ])("refuses %j", (origin) => {
    expect(allowed(origin)).toBeNull();
  });

  it("allows nothing when nothing is configured", () => {
    expect(corsOriginMatcher([])("http://localhost:5173")).toBeNull();
  });
});
