/**
 * Upstream targets built from the config, and the one row read every route shares (a table's row
 * by its role's partition key).
 */
import { TABLE_KEYS, type TableRole } from "../../model/index.ts";
import type { Config } from "../config.ts";
import { getItem, type DynamoDbTarget } from "./dynamodb.ts";
import type { UpstreamStats } from "./upstream.ts";

/**
 * DynamoDB endpoint, credentials and failure policy for this config. Cheap to build per call:
 * the signing client is cached per credentials object (awsClient), which is the config's own.
 */
export function dynamoDbTarget(config: Config): DynamoDbTarget {
  return { credentials: config.aws, endpoint: config.dynamodbEndpoint, policy: config.upstream };
}

/** The `role` table's row whose partition key is `keyValue`, or undefined when there is none (or it expired). */
export function getRow(
  config: Config,
  stats: UpstreamStats,
  role: TableRole,
  keyValue: string,
): Promise<Record<string, unknown> | undefined> {
  return getItem(dynamoDbTarget(config), stats, { table: config.tables[role], keyName: TABLE_KEYS[role], keyValue });
}
