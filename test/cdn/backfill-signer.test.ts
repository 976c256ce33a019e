import { AwsV4Signer } from "aws4fetch";
import { describe, expect, it } from "vitest";
import { encodeKeyPath, S3RequestSigner } from "../../src/aws/bulk-signer.ts";

const credentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};
const now = new Date("2026-12-03T10:20:30.000Z");

/** The Authorization header aws4fetch computes for the same request. */
async function reference(
  method: string,
  url: URL,
  headers: Record<string, string>,
  sessionToken?: string,
): Promise<string> {
  const signer = new AwsV4Signer({
    method,
    url: url.toString(),
    headers: { ...headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    ...credentials,
    sessionToken,
    service: "s3",
    region: "eu-west-1",
    datetime: "20261203T102030Z",
    allHeaders: true,
  });
  const signed = await signer.sign();

  return signed.headers.get("authorization") ?? "";
}

describe("S3RequestSigner", () => {
  it("signs like aws4fetch for keys that need encoding", async () => {
    const key = "covers/red flower+1 (100%)/ümlaut*.png";
    const url = new URL(
      `https://bucket.s3.eu-west-1.amazonaws.com/${encodeKeyPath(key)}`,
    );
    const headers = {
      "content-type": "image/png",
      "x-amz-meta-source-etag": "abc",
    };

    const signed = new S3RequestSigner("eu-west-1").sign(
      { method: "PUT", url, headers: { ...headers } },
      credentials,
      now,
    );

    expect(signed.authorization).toBe(await reference("PUT", url, headers));
  });

  it("signs query parameters and session tokens like aws4fetch", async () => {
    const url = new URL(
      "https://bucket.s3.eu-west-1.amazonaws.com/big.bin?uploadId=a%2Fb%3Dc&partNumber=2",
    );
    const token = "session/token+value";

    const signed = new S3RequestSigner("eu-west-1").sign(
      { method: "PUT", url, headers: {} },
      { ...credentials, sessionToken: token },
      now,
    );

    expect(signed["x-amz-security-token"]).toBe(token);
    expect(signed.authorization).toBe(await reference("PUT", url, {}, token));
  });

  it("encodes each key segment once and keeps the slashes", () => {
    expect(encodeKeyPath("a b/c+d/e%f/(g)!")).toBe(
      "a%20b/c%2Bd/e%25f/%28g%29%21",
    );
  });
});
