/**
 * What the status benches (bench/worker.ts, bench/callgrind/status.ts, bench/v8/tier-up.ts) share:
 * status rows, one job per request that must miss the isolate's memory, so every miss reads a row
 * DynamoDB Local really has; and the variables of the product Worker and of the GetItem anchors.
 */
import { BatchWriteItemCommand } from "@aws-sdk/client-dynamodb";
import { DEFAULT_TABLES, epochSeconds } from "../../model/index.ts";
import { WORKER_SETTINGS } from "../../model/settings.ts";
import { localDynamoDbClient } from "../../local/aws.ts";
import { LOCAL_CREDENTIALS } from "../../local/constants.ts";
import { localEndpoints, localWorkerDefaults } from "../../local/defaults.ts";
import { wranglerVars } from "./workerd.ts";

/** The origin the benches' cache hits come from, which the product Worker allows. */
export const BENCH_ORIGIN = "http://localhost:3000";

/**
 * Variables for the status benches against DynamoDB Local at `dynamodbEndpoint`: `main`, the
 * product Worker's (wrangler.toml's, the local stack's, BENCH_ORIGIN allowed, a 300-s lookup cache,
 * then `overrides`), and `anchor`, the GetItem anchors' (bench/anchors).
 */
export function statusBenchVars(
  dynamodbEndpoint: string,
  overrides: Record<string, string> = {},
): { main: Record<string, string>; anchor: Record<string, string> } {
  const endpoints = { ...localEndpoints({ dynamodb: 1, s3: 1, worker: 1 }), dynamodb: dynamodbEndpoint };
  return {
    main: {
      ...wranglerVars("wrangler.toml"),
      ...localWorkerDefaults(endpoints),
      ALLOWED_ORIGINS: BENCH_ORIGIN,
      CACHE_TTL_SECONDS: "300",
      // As deployed: the local stack's defaults log every request (local/defaults.ts).
      ACCESS_LOG: WORKER_SETTINGS.ACCESS_LOG.default,
      ...overrides,
    },
    anchor: {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      DYNAMODB_ENDPOINT: dynamodbEndpoint,
      TABLE: DEFAULT_TABLES.jobIdToStatus,
    },
  };
}

/** Writes `count` PROGRESSING status rows `<prefix>-0..count-1` (25 per BatchWriteItem) and returns their ids. */
export async function seedJobs(endpoint: string, count: number, prefix: string): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
  const client = localDynamoDbClient(endpoint);
  const item = (id: string) => ({
    JobId: { S: id },
    JobStatus: { S: "PROGRESSING" },
    ProgressRate: { N: "70" },
    CreationTime: { N: String(epochSeconds()) },
  });
  try {
    for (let start = 0; start < ids.length; start += 25) {
      const batch = ids.slice(start, start + 25).map((id) => ({ PutRequest: { Item: item(id) } }));
      await client.send(new BatchWriteItemCommand({ RequestItems: { [DEFAULT_TABLES.jobIdToStatus]: batch } }));
    }
  } finally {
    client.destroy();
  }
  return ids;
}
