/**
 * Upstream targets built from the config once per isolate (the config object is memoised per
 * env, so these are too).
 */
import type { Config } from "../config.ts";
import type { DynamoDbTarget } from "./dynamodb.ts";

const dynamoDbTargets = new WeakMap<Config, DynamoDbTarget>();

/** DynamoDB endpoint, credentials and failure policy for this config. */
export function dynamoDbTarget(config: Config): DynamoDbTarget {
  let target = dynamoDbTargets.get(config);
  if (!target) {
    target = { credentials: config.aws, endpoint: config.dynamodbEndpoint, policy: config.upstream };
    dynamoDbTargets.set(config, target);
  }
  return target;
}
