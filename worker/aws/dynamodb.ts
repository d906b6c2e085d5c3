/**
 * DynamoDB from the Worker: the JSON protocol over a SigV4-signed fetch (aws4fetch), never the SDK.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html
 */
import { isExpired, epochSeconds } from "../../model/index.ts";
import type { AwsEdgeClient } from "./client.ts";
import { UpstreamError } from "./errors.ts";
import { callUpstreamText } from "./upstream.ts";

/** A DynamoDB attribute value in the wire format ({"S": "..."}, {"N": "1"}, {"M": {...}}, ...). */
export type AttributeValue = Record<string, unknown>;

/**
 * Converts a wire-format attribute value to plain data. Written here rather than taken from
 * @aws-sdk/util-dynamodb to keep the SDK out of the Worker bundle. Numbers become JS numbers
 * (our items hold integers well inside 2^53); binary stays base64 text.
 */
export function unmarshallValue(value: AttributeValue): unknown {
  // The first (only) key is the type; a for-in loop rather than Object.entries: no arrays per attribute.
  let type: string | undefined;
  for (type in value) break;
  const inner = type === undefined ? undefined : value[type];
  switch (type) {
    case "S":
    case "B":
      return inner as string;
    case "N":
      return Number(inner);
    case "BOOL":
      return inner as boolean;
    case "NULL":
      return null;
    case "M":
      return unmarshallItem(inner as Record<string, AttributeValue>);
    case "L":
      return (inner as AttributeValue[]).map(unmarshallValue);
    case "SS":
    case "BS":
      return [...(inner as string[])];
    case "NS":
      return (inner as string[]).map(Number);
    default:
      throw new Error(`unknown DynamoDB attribute type ${String(type)}`);
  }
}

/** Converts a wire-format item to a plain object. */
export function unmarshallItem(item: Record<string, AttributeValue>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const name of Object.keys(item)) result[name] = unmarshallValue(item[name]!);
  return result;
}

async function dynamoDbCall(aws: AwsEdgeClient, operation: string, input: unknown): Promise<Record<string, unknown>> {
  const { response, text } = await callUpstreamText(aws, {
    service: "dynamodb",
    url: aws.endpoints.dynamodb,
    init: {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": `DynamoDB_20120810.${operation}`,
      },
      body: JSON.stringify(input),
    },
  });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UpstreamError("dynamodb", "malformed", `HTTP ${response.status}, body is not JSON`);
  }
  if (!response.ok) {
    // Only the error type is kept (e.g. ResourceNotFoundException, AccessDeniedException);
    // the message can name resources and is not forwarded anywhere.
    const type = typeof (body as { __type?: unknown }).__type === "string" ? (body as { __type: string }).__type : "";
    throw new UpstreamError("dynamodb", "rejected", `HTTP ${response.status} ${type.split("#").pop() ?? ""}`.trim());
  }
  if (typeof body !== "object" || body === null) {
    throw new UpstreamError("dynamodb", "malformed", "response is not a JSON object");
  }
  return body as Record<string, unknown>;
}

/**
 * GetItem by a string partition key. Returns undefined when there is no item, or when the item's
 * TTL has passed (DynamoDB deletes expired items up to ~2 days late and returns them until then:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ttl-expired-items.html).
 */
export async function getItem(
  aws: AwsEdgeClient,
  request: { table: string; keyName: string; keyValue: string; nowSeconds?: number },
): Promise<Record<string, unknown> | undefined> {
  const body = await dynamoDbCall(aws, "GetItem", {
    TableName: request.table,
    Key: { [request.keyName]: { S: request.keyValue } },
  });
  if (body.Item === undefined) return undefined;
  if (typeof body.Item !== "object" || body.Item === null || Array.isArray(body.Item)) {
    throw new UpstreamError("dynamodb", "malformed", "Item is not an object");
  }
  let item: Record<string, unknown>;
  try {
    item = unmarshallItem(body.Item as Record<string, AttributeValue>);
  } catch (error) {
    throw new UpstreamError("dynamodb", "malformed", (error as Error).message);
  }
  return isExpired(item, request.nowSeconds ?? epochSeconds()) ? undefined : item;
}

/** Query on an index by a string key; returns unmarshalled, unexpired items (first page, up to `limit`). */
export async function queryByKey(
  aws: AwsEdgeClient,
  request: {
    table: string;
    indexName: string;
    keyName: string;
    keyValue: string;
    limit: number;
    nowSeconds?: number;
  },
): Promise<Array<Record<string, unknown>>> {
  const body = await dynamoDbCall(aws, "Query", {
    TableName: request.table,
    IndexName: request.indexName,
    KeyConditionExpression: "#k = :v",
    ExpressionAttributeNames: { "#k": request.keyName },
    ExpressionAttributeValues: { ":v": { S: request.keyValue } },
    Limit: request.limit,
  });
  if (!Array.isArray(body.Items)) throw new UpstreamError("dynamodb", "malformed", "Items is not a list");
  const now = request.nowSeconds ?? epochSeconds();
  try {
    return (body.Items as Array<Record<string, AttributeValue>>)
      .map(unmarshallItem)
      .filter((item) => !isExpired(item, now));
  } catch (error) {
    throw new UpstreamError("dynamodb", "malformed", (error as Error).message);
  }
}
