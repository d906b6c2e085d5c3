/**
 * Lambda entry point of faces-collect (SNS: Rekognition Video completion -> GetFaceDetection -> S3 and
 * the analysis row). Configuration and SDK clients are built once per cold start; a missing variable
 * fails the cold start with a ConfigError naming it. The logic lives in faces-collect.ts.
 *
 * Deployment needs (infra): subscribe the function to the topic faces-start passes as
 * NotificationChannel; keep the async-invoke MaximumRetryAttempts at 2 (the default) and set an
 * on-failure destination, because a long result continues through those retries (faces-collect.ts);
 * grant rekognition:GetFaceDetection, s3:PutObject on the analysis prefix, and GetItem/UpdateItem on
 * the analysis table.
 */
import { RekognitionClient } from "@aws-sdk/client-rekognition";
import { awsEndpoints } from "../shared/config.ts";
import { createSqsClient, webhookTargets } from "../shared/webhooks.ts";
import { createDocumentClient, createS3Client } from "../shared/clients.ts";
import { createLogger } from "../shared/logger.ts";
import { readFacesCollectConfig } from "./config.ts";
import { createFacesCollectHandler } from "./faces-collect.ts";

const config = readFacesCollectConfig(process.env);
const endpoints = awsEndpoints(process.env);
const targets = webhookTargets(process.env);

/** The Lambda handler. */
export const handler = createFacesCollectHandler({
  config,
  clients: {
    dynamodb: createDocumentClient(endpoints),
    s3: createS3Client(endpoints),
    rekognition: new RekognitionClient({
      region: endpoints.region,
      ...(config.rekognitionEndpoint ? { endpoint: config.rekognitionEndpoint } : {}),
    }),
  },
  log: createLogger("faces-collect"),
  ...(targets ? { webhooks: { sqs: createSqsClient(process.env, endpoints.region), targets } } : {}),
});
