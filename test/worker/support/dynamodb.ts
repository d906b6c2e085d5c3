/**
 * Test-side DynamoDB writes from inside workerd (the Worker itself only reads), over the same
 * signed JSON protocol, against the DynamoDB Local that globalSetup started.
 */
import { AwsClient } from "aws4fetch";
import { env } from "cloudflare:workers";
import { LOCAL_CREDENTIALS } from "../../../local/constants.ts";
import { DEFAULT_REGION } from "../../../model/index.ts";

const client = new AwsClient({ ...LOCAL_CREDENTIALS, region: DEFAULT_REGION, service: "dynamodb", retries: 0 });

function marshall(value: unknown): Record<string, unknown> {
  if (typeof value === "string") return { S: value };
  if (typeof value === "number") return { N: String(value) };
  if (typeof value === "boolean") return { BOOL: value };
  if (value === null) return { NULL: true };
  if (Array.isArray(value)) return { L: value.map(marshall) };
  return { M: marshallItem(value as Record<string, unknown>) };
}

function marshallItem(item: Record<string, unknown>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, marshall(value)]));
}

async function call(operation: string, input: unknown): Promise<unknown> {
  const response = await client.fetch(String((env as unknown as Record<string, unknown>).DYNAMODB_ENDPOINT), {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${operation}` },
    body: JSON.stringify(input),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`${operation} failed: ${JSON.stringify(body)}`);
  return body;
}

/** Writes an item (plain values are marshalled). */
export async function putItem(table: string, item: Record<string, unknown>): Promise<void> {
  await call("PutItem", { TableName: table, Item: marshallItem(item) });
}

/** Deletes an item by its string partition key. */
export async function deleteItem(table: string, keyName: string, keyValue: string): Promise<void> {
  await call("DeleteItem", { TableName: table, Key: { [keyName]: { S: keyValue } } });
}
