/**
 * Lambda entry point of faces-start (EventBridge "Object Created" or S3 notification -> Rekognition
 * StartFaceDetection). Configuration is read once per cold start: a missing variable fails the cold
 * start with a ConfigError naming it. The logic and the SDK clients load on the first event
 * (shared/lazy-handler.ts). The logic lives in faces-start.ts.
 *
 * Trigger: an EventBridge rule on the input bucket's "Object Created" events, one rule per function
 * (submit-job has its own). S3 refuses two notification configurations with overlapping prefixes and
 * suffixes for the same event type, so two functions cannot both subscribe to the bucket directly;
 * EventBridge delivers every event to every matching rule.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html
 */
import { awsEndpoints } from "../shared/config.ts";
import { lazyHandler } from "../shared/lazy-handler.ts";
import { createLogger } from "../shared/logger.ts";
import { readFacesStartConfig } from "./config.ts";

const config = readFacesStartConfig(process.env);
const endpoints = awsEndpoints(process.env);
const log = createLogger("faces-start");

/** The Lambda handler. */
export const handler = lazyHandler(async () =>
  (await import("./with-clients.ts")).facesStartWithClients({ config, endpoints, log }),
);
