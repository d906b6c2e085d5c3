/**
 * job-state's handler with its SDK clients: the part of the function that loads the AWS SDK, imported
 * by handler.ts on the first event (shared/lazy-handler.ts).
 */
import { createDocumentClient, createObjectWriter } from "../shared/clients.ts";
import type { AwsEndpoints } from "../shared/config.ts";
import type { Log } from "../shared/logger.ts";
import type { WebhookTargets } from "../shared/webhook-targets.ts";
import { createSqsClient } from "../shared/webhooks.ts";
import { createJobStateHandler, type JobStateConfig } from "./job-state.ts";

/** The handler, with clients built once per container. */
export function jobStateWithClients(init: {
  config: JobStateConfig;
  endpoints: AwsEndpoints;
  targets?: WebhookTargets;
  log: Log;
}) {
  const { config, endpoints, targets, log } = init;
  return createJobStateHandler({
    config,
    clients: { dynamodb: createDocumentClient(endpoints), s3: createObjectWriter(endpoints) },
    log,
    ...(targets ? { webhooks: { sqs: createSqsClient(endpoints), targets } } : {}),
  });
}
