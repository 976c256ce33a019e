/**
 * Makes s3rver's object writes appear all at once.
 *
 * s3rver 3.7 streams a PUT's body straight into the object's file, writes
 * its metadata after that, and resolves before the body is flushed. A GET
 * in between reads a partial body without its Content-Type (served as
 * binary/octet-stream): a page loading `/cdn/` right after an upload saw
 * that, and so did the end-to-end tests. Here the body is written to a
 * temporary file beside the object and flushed, then the metadata, the MD5
 * and last the body are renamed into place, each rename being atomic. A
 * reader sees the old object or a 404 until the body lands, then the new
 * one. An overwrite still has an instant of mismatch: the new headers over
 * the old body between the renames, and, since s3rver reads a length and
 * then opens the file by name, a read straddling the rename gets the new
 * body cut at the old length.
 */
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/** The parts of s3rver's FilesystemStore this relies on. */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
}

/** s3rver's S3Object, as the store receives it. */
interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly content: Buffer | Readable;
  readonly metadata: Record<string, string>;
}

/**
 * Metadata s3rver derives when it reads an object (from the file's stat and
 * MD5), which its own putMetadata leaves out of the stored JSON.
 */
const DERIVED_METADATA = new Set(["last-modified", "etag", "content-length"]);

/** Replaces `store.putObject`, which multipart completion also calls. */
export function makeObjectWritesAtomic(store: FilesystemStore): void {
  store.putObject = async function putObjectAtomically(object) {
    const objectPath = store.getResourcePath(
      object.bucket,
      object.key,
      "object",
    );
    const metadataPath = store.getResourcePath(
      object.bucket,
      object.key,
      "metadata.json",
    );
    await mkdir(dirname(objectPath), { recursive: true });
    const bodyTemp = temporaryBeside(objectPath);

    try {
      const { size, md5 } = await writeBody(object.content, bodyTemp);
      await replaceFile(metadataPath, storedMetadata(object.metadata));
      await replaceFile(`${objectPath}.md5`, md5);
      await rename(bodyTemp, objectPath);

      return { size, md5 };
    } finally {
      await rm(bodyTemp, { force: true });
    }
  };
}

/**
 * A short name in the object's folder, so the rename stays on one file
 * system and a long key segment does not grow past the name limit. It does
 * not end in s3rver's object suffix, so listings never show it.
 */
function temporaryBeside(path: string): string {
  return join(dirname(path), `.${randomBytes(6).toString("hex")}.part`);
}

async function writeBody(
  content: Buffer | Readable,
  path: string,
): Promise<{ size: number; md5: string }> {
  const hash = createHash("md5");
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const source = Buffer.isBuffer(content) ? Readable.from([content]) : content;
  await pipeline(source, measure, createWriteStream(path));

  return { size, md5: hash.digest("hex") };
}

function storedMetadata(metadata: Record<string, string>): string {
  const kept = Object.entries(metadata).filter(
    ([name]) => !DERIVED_METADATA.has(name),
  );

  return JSON.stringify(Object.fromEntries(kept), null, 2);
}

async function replaceFile(path: string, text: string): Promise<void> {
  const temp = temporaryBeside(path);
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}
