/**
 * Lambda entry point of faces-collect (SNS: Rekognition Video completion -> GetFaceDetection -> S3 and
 * the analysis row). Configuration is read once per cold start: a missing variable fails the cold
 * start with a ConfigError naming it. The logic and the SDK clients load on the first event
 * (shared/lazy-handler.ts). The logic lives in faces-collect.ts.
 *
 * Deployment needs (infra): subscribe the function to the topic faces-start passes as
 * NotificationChannel; keep the async-invoke MaximumRetryAttempts at 2 (the default) and set an
 * on-failure destination, because a long result continues through those retries (faces-collect.ts);
 * grant rekognition:GetFaceDetection, s3:PutObject on the analysis prefix, and GetItem/UpdateItem on
 * the analysis table.
 */
import { awsEndpoints } from "../shared/config.ts";
import { lazyHandler } from "../shared/lazy-handler.ts";
import { createLogger } from "../shared/logger.ts";
import { webhookTargets } from "../shared/webhook-targets.ts";
import { readFacesCollectConfig } from "./config.ts";

const config = readFacesCollectConfig(process.env);
const endpoints = awsEndpoints(process.env);
const targets = webhookTargets(process.env);
const log = createLogger("faces-collect");

/** The Lambda handler. */
export const handler = lazyHandler(async () =>
  (await import("./with-clients.ts")).facesCollectWithClients({ config, endpoints, targets, log }),
);
