/**
 * webhook-deliver's handler with its SDK clients: the part of the function that loads the AWS SDK,
 * imported by handler.ts on the first event (shared/lazy-handler.ts).
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { AwsEndpoints } from "../shared/config.ts";
import type { Log } from "../shared/logger.ts";
import { createSqsClient } from "../shared/webhooks.ts";
import type { WebhookDeliverConfig } from "./config.ts";
import { createWebhookDeliverHandler } from "./deliver.ts";
import { cachedSecrets } from "./secrets.ts";

/** The handler, with clients built once per container; the secrets are read from Secrets Manager (cached with a TTL) or, locally, from the environment. */
export function webhookDeliverWithClients(init: { config: WebhookDeliverConfig; endpoints: AwsEndpoints; log: Log }) {
  const { config, endpoints, log } = init;
  const fixed = config.secrets;
  return createWebhookDeliverHandler({
    config,
    sqs: createSqsClient(endpoints),
    secrets: fixed
      ? () => Promise.resolve(fixed)
      : cachedSecrets(new SecretsManagerClient({ region: endpoints.region }), config.secretArn!),
    log,
  });
}
