/**
 * faces-collect's handler with its SDK clients: the part of the function that loads the AWS SDK,
 * imported by handler.ts on the first event (shared/lazy-handler.ts).
 */
import { RekognitionClient } from "@aws-sdk/client-rekognition";
import { createDocumentClient, createObjectWriter } from "../shared/clients.ts";
import type { AwsEndpoints } from "../shared/config.ts";
import type { Log } from "../shared/logger.ts";
import type { WebhookTargets } from "../shared/webhook-targets.ts";
import { createSqsClient } from "../shared/webhooks.ts";
import type { FacesCollectConfig } from "./config.ts";
import { createFacesCollectHandler } from "./faces-collect.ts";

/** The handler, with clients built once per container. */
export function facesCollectWithClients(init: {
  config: FacesCollectConfig;
  endpoints: AwsEndpoints;
  targets?: WebhookTargets;
  log: Log;
}) {
  const { config, endpoints, targets, log } = init;
  return createFacesCollectHandler({
    config,
    clients: {
      dynamodb: createDocumentClient(endpoints),
      s3: createObjectWriter(endpoints),
      rekognition: new RekognitionClient({
        region: endpoints.region,
        ...(config.rekognitionEndpoint ? { endpoint: config.rekognitionEndpoint } : {}),
      }),
    },
    log,
    ...(targets ? { webhooks: { sqs: createSqsClient(endpoints), targets } } : {}),
  });
}
