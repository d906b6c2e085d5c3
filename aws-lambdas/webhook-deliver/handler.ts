/**
 * Lambda entry point of webhook-deliver (SQS FIFO event source with ReportBatchItemFailures ->
 * signed POSTs). Configuration and clients are built once per cold start; the secrets are read from
 * Secrets Manager (cached with a TTL) or, locally, from the environment. Logic: deliver.ts.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { awsRegion } from "../shared/config.ts";
import { createLogger } from "../shared/logger.ts";
import { createSqsClient } from "../shared/webhooks.ts";
import { readWebhookDeliverConfig } from "./config.ts";
import { createWebhookDeliverHandler } from "./deliver.ts";
import { cachedSecrets } from "./secrets.ts";

const config = readWebhookDeliverConfig(process.env);
const region = awsRegion(process.env);
const fixed = config.secrets;

/** The Lambda handler. */
export const handler = createWebhookDeliverHandler({
  config,
  sqs: createSqsClient(process.env, region),
  secrets: fixed
    ? () => Promise.resolve(fixed)
    : cachedSecrets(new SecretsManagerClient({ region }), config.secretArn!),
  log: createLogger("webhook-deliver"),
});
