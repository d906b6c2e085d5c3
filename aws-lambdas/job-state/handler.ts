/**
 * Lambda entry point of job-state (EventBridge "MediaConvert Job State Change" -> DynamoDB, info.json).
 * Configuration and SDK clients are built once per cold start; a missing variable fails the cold
 * start with a ConfigError naming it. The logic lives in job-state.ts and state-update.ts.
 */
import { awsEndpoints } from "../shared/config.ts";
import { createSqsClient, webhookTargets } from "../shared/webhooks.ts";
import { createDocumentClient, createS3Client } from "../shared/clients.ts";
import { createLogger } from "../shared/logger.ts";
import { readJobStateConfig } from "./config.ts";
import { createJobStateHandler } from "./job-state.ts";

const config = readJobStateConfig(process.env);
const endpoints = awsEndpoints(process.env);
const targets = webhookTargets(process.env);

/** The Lambda handler. */
export const handler = createJobStateHandler({
  config,
  clients: { dynamodb: createDocumentClient(endpoints), s3: createS3Client(endpoints) },
  log: createLogger("job-state"),
  ...(targets ? { webhooks: { sqs: createSqsClient(process.env, endpoints.region), targets } } : {}),
});
