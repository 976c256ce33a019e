/** `core dev upload <dir> <file>`: a file into a registered bucket. */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { s3Options } from "../aws/clients.ts";
import { contentTypeOf } from "../local/content-type.ts";
import type { LocalEndpoints } from "../local/endpoints-file.ts";
import { LocalCoreUsageError } from "../local/errors.ts";

/** Uploads `file` with its Content-Type; prints the URL it is served at. */
export async function upload(
  endpoints: LocalEndpoints,
  dir: string,
  file: string,
  flags: { key?: string },
): Promise<void> {
  const bucket = endpoints.s3.buckets[dir];
  if (!bucket) {
    const known = Object.keys(endpoints.s3.buckets).join(", ");
    throw new LocalCoreUsageError(
      `no bucket is registered for "${dir}"; registered: ${known} (add more with CDN_BUCKETS=dir=bucket)`,
    );
  }
  const body = await readUpload(file);

  const key = flags.key ?? basename(file);
  const s3 = new S3Client(s3Options(endpoints.region, endpoints.s3.endpoint));
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: contentTypeOf(file),
    }),
  );
  const path = key.split("/").map(encodeURIComponent).join("/");
  console.log(`${endpoints.cdn}/${dir}/${path}`);
}

async function readUpload(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === "ENOENT"
        ? "there is no file"
        : code === "EISDIR"
          ? "that is a folder"
          : `it cannot be read (${code})`;
    throw new LocalCoreUsageError(
      `cannot upload ${file}: ${problem}; give the path of a file`,
      { cause: error },
    );
  }
}
