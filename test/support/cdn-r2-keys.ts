/**
 * Access keys of the s3rver engines, for tests of key rotation. s3rver
 * keeps one registry of keys per process (`S3RVER` from the start) and
 * answers 403 InvalidAccessKeyId to any other key id. It does not check
 * V4 signatures, so a wrong secret key under a known id goes unnoticed:
 * only rotations of the key id can be played against it.
 */
import { createRequire } from "node:module";

interface S3rverAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
  revokeAccessKey(accessKeyId: string): void;
}

const require = createRequire(import.meta.url);
// The module s3rver's own authentication reads; it has no public API.
const { DUMMY_ACCOUNT } = require("s3rver/lib/models/account.js") as {
  DUMMY_ACCOUNT: S3rverAccount;
};

/** Lets every s3rver of this process accept `accessKeyId`. */
export function grantS3rverKey(accessKeyId: string, secret: string): void {
  DUMMY_ACCOUNT.createKeyPair(accessKeyId, secret);
}

/** Makes every s3rver of this process refuse `accessKeyId` again. */
export function revokeS3rverKey(accessKeyId: string): void {
  DUMMY_ACCOUNT.revokeAccessKey(accessKeyId);
}
