/** The few lines the local core prints once it is ready. */
import type { LocalEndpoints } from "./endpoints-file.ts";

/** Endpoints, ids, names and the helper commands, aligned for a terminal. */
export function formatSummary(
  endpoints: LocalEndpoints,
  home: string,
  startMs: number,
): string {
  const rows: Array<[string, string]> = [
    ["HTTP API", endpoints.api],
    ["CDN", `${endpoints.cdn}/<dir>/<key>`],
    ["Cognito", endpoints.cognito.endpoint],
    ["  user pool", endpoints.cognito.userPoolId],
    ["  client id", endpoints.cognito.clientId],
    ["  issuer", endpoints.cognito.issuer],
    ["DynamoDB", endpoints.dynamodb.endpoint],
    ["  users table", endpoints.dynamodb.usersTable],
    ["S3", endpoints.s3.endpoint],
    ...Object.entries(endpoints.s3.buckets).map(
      ([dir, bucket]): [string, string] => [`  /cdn/${dir}/`, bucket],
    ),
    ["  R2 stand-in", endpoints.s3.r2Bucket],
    ["SQS", endpoints.sqs.endpoint],
    ["SSM, Secrets", endpoints.ssm?.endpoint ?? "-"],
    ["Lambda Invoke", endpoints.lambda?.endpoint ?? "-"],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const table = rows.map(
    ([label, value]) => `  ${label.padEnd(width)}${value}`,
  );

  return [
    `Local core ready in ${(startMs / 1000).toFixed(1)} s (data in ${home}, endpoints in ${home}/endpoints.json)`,
    ...table,
    "",
    "Try:",
    "  npx core dev user add me@example.test --name Me --gravatar",
    "  npx core dev token me@example.test",
    `  curl -X POST -H "Authorization: Bearer <token>" ${endpoints.api}/v1/auth/sync`,
    "  npx core dev upload <dir> <file>",
    "Ctrl-C stops the core; the next start keeps users, profiles and objects.",
    "",
  ].join("\n");
}
