/**
 * Status rows for the status benches (bench/worker.ts, bench/callgrind/status.ts): one job per
 * request that must miss the isolate's memory, so every miss reads a row DynamoDB Local really has.
 */
import { BatchWriteItemCommand } from "@aws-sdk/client-dynamodb";
import { DEFAULT_TABLES, epochSeconds } from "../../model/index.ts";
import { localDynamoDbClient } from "../../local/aws.ts";

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
