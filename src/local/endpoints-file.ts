/**
 * `<CORE_HOME>/endpoints.json`: how other tools (the website, other
 * services, `core --local`) find a running local core.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

export const ENDPOINTS_FILE = "endpoints.json";

const endpointsSchema = z.object({
  api: z.string(),
  cdn: z.string(),
  region: z.string().default("us-east-1"),
  cognito: z.object({
    endpoint: z.string(),
    userPoolId: z.string(),
    clientId: z.string(),
    issuer: z.string(),
  }),
  dynamodb: z.object({ endpoint: z.string(), usersTable: z.string() }),
  s3: z.object({
    endpoint: z.string(),
    /** Directory → bucket, the registry of the local core. */
    buckets: z.record(z.string(), z.string()),
    r2Bucket: z.string(),
  }),
  sqs: z.object({
    endpoint: z.string(),
    syncQueueUrl: z.string(),
    cdnQueueUrl: z.string(),
  }),
  ssm: z.object({ endpoint: z.string() }).optional(),
  /** The Lambda Invoke API that cognito-local calls triggers through. */
  lambda: z.object({ endpoint: z.string() }).optional(),
});

export type LocalEndpoints = z.output<typeof endpointsSchema>;

/** Reads the endpoints of the local core running from `home`. */
export async function readEndpointsFile(home: string): Promise<LocalEndpoints> {
  const path = join(home, ENDPOINTS_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new Error(
      `no local core found: ${path} does not exist (start one with \`npm start\`)`,
    );
  }
  const parsed = endpointsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join("."));
    throw new Error(
      `${path} is missing or has bad fields: ${fields.join(", ")}`,
    );
  }

  return parsed.data;
}
